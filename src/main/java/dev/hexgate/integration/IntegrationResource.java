package dev.hexgate.integration;

import java.time.Instant;
import java.time.InstantSource;
import java.util.List;
import java.util.Set;

import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.UriInfo;

import com.fasterxml.jackson.annotation.JsonProperty;

import dev.hexgate.auth.BackendApi;
import dev.hexgate.error.ErrorCode;
import dev.hexgate.error.ErrorDetail;
import dev.hexgate.error.GatewayException;
import dev.hexgate.error.QueryParams;
import io.quarkus.runtime.annotations.RegisterForReflection;

/**
 * Nango's integrations API, read-only (docs/contract.md §11): the gateway serves one integration, from its configuration,
 * so {@code listIntegrations()} and {@code getIntegration()} of {@code @nangohq/node} work, and creating, changing or
 * deleting one is a 405 (no route takes those methods).
 */
@Path("/integrations")
@BackendApi
@Produces(MediaType.APPLICATION_JSON)
public class IntegrationResource {

    /** What Nango's {@code getIntegration} may ask to include; Hex, an API-key provider, has neither to show. */
    private static final Set<String> INCLUDES = Set.of("webhook", "credentials");

    private final IntegrationKey key;
    /** Integrations are configuration here, read when this replica started: their only honest timestamp. */
    private final String configuredAt;

    public IntegrationResource(IntegrationKey key, InstantSource clock) {
        this.key = key;
        this.configuredAt = Instant.ofEpochMilli(clock.millis()).toString();
    }

    /** Nango's {@code ApiPublicIntegration}, without {@code logo} (this gateway serves no images). */
    @RegisterForReflection
    public record Integration(@JsonProperty("unique_key") String uniqueKey, String provider,
            @JsonProperty("display_name") String displayName, @JsonProperty("forward_webhooks") boolean forwardWebhooks,
            @JsonProperty("created_at") String createdAt, @JsonProperty("updated_at") String updatedAt) {
    }

    @RegisterForReflection
    public record Envelope<T>(T data) {
    }

    @GET
    public Envelope<List<Integration>> list(@Context UriInfo uri) {
        QueryParams.requireOnly(uri.getQueryParameters(), Set.of());
        return new Envelope<>(List.of(integration()));
    }

    @GET
    @Path("/{uniqueKey}")
    public Envelope<Integration> get(@PathParam("uniqueKey") String uniqueKey, @Context UriInfo uri) {
        QueryParams.requireOnly(uri.getQueryParameters(), Set.of("include"));
        String include = uri.getQueryParameters().getFirst("include");
        // Empty asks for nothing more (schemathesis found it refused: a schema-valid request).
        if (include != null && !include.isEmpty()) {
            List<ErrorDetail> unknown = List.of(include.split(",", -1)).stream().filter(i -> !INCLUDES.contains(i))
                    .map(i -> ErrorDetail.of("include", "must be webhook or credentials")).distinct().toList();
            if (!unknown.isEmpty()) {
                throw new GatewayException(ErrorCode.INVALID_QUERY_PARAMS, "include takes webhook and credentials.", unknown);
            }
        }
        if (!key.is(uniqueKey)) {
            throw new GatewayException(ErrorCode.NOT_FOUND, "Integration does not exist; this gateway serves '" + key.value()
                    + "'.");
        }
        return new Envelope<>(integration());
    }

    private Integration integration() {
        // Hex sends no webhooks, so there are none to forward (Nango would default this to true).
        return new Integration(key.value(), "hex", "Hex", false, configuredAt, configuredAt);
    }
}
