package dev.hexgate.connection;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.MultivaluedMap;
import jakarta.ws.rs.core.UriInfo;

import org.jboss.resteasy.reactive.RestResponse;

import dev.hexgate.audit.AuditLog;
import dev.hexgate.auth.BackendApi;
import dev.hexgate.auth.SecretKeys;
import dev.hexgate.error.ErrorCode;
import dev.hexgate.error.ErrorDetail;
import dev.hexgate.error.GatewayException;
import dev.hexgate.error.QueryParams;
import dev.hexgate.integration.IntegrationKey;
import io.smallrye.mutiny.Uni;

/** The Nango-shaped connections API of docs/contract.md §4. */
@Path("/connections")
@BackendApi
@Produces(MediaType.APPLICATION_JSON)
public class ConnectionResource {

    private static final Set<String> LIST_PARAMS = Set.of("connectionId", "endUserId", "limit", "page");
    private static final Set<String> GET_PARAMS = Set.of("provider_config_key", "force_refresh", "refresh_token",
            "refresh_github_app_jwt_token");
    private static final Set<String> DELETE_PARAMS = Set.of("provider_config_key");

    private final ConnectionService service;
    private final IntegrationKey integration;
    private final AuditLog audit;

    public ConnectionResource(ConnectionService service, IntegrationKey integration, AuditLog audit) {
        this.service = service;
        this.integration = integration;
        this.audit = audit;
    }

    /** Nango's list envelope. */
    public record ConnectionList(List<ConnectionView> connections) {
    }

    @POST
    @Consumes(MediaType.APPLICATION_JSON)
    public Uni<RestResponse<ConnectionView>> link(LinkRequest request, @Context UriInfo uri,
            @HeaderParam(HttpHeaders.AUTHORIZATION) String authorization) {
        String id = request == null ? null : request.connectionId();
        return Uni.createFrom().deferred(() -> {
            QueryParams.requireOnly(uri.getQueryParameters(), Set.of());
            return service.link(request);
        })
                .invoke(c -> audit.byKey(SecretKeys.keyId(authorization), "link", c.connectionId(),
                        c.createdAt().equals(c.updatedAt()) ? "created" : "replaced"))
                .onFailure(GatewayException.class).invoke(e -> audit.byKey(SecretKeys.keyId(authorization), "link", id,
                        "refused:" + ((GatewayException) e).code().code()))
                .map(c -> RestResponse.status(RestResponse.Status.CREATED, ConnectionView.full(c)));
    }

    @GET
    public Uni<ConnectionList> list(@Context UriInfo uri) {
        MultivaluedMap<String, String> query = uri.getQueryParameters();
        QueryParams.requireOnly(query, LIST_PARAMS);
        int limit = number(query, "limit", 100, 1, 1000);
        int page = number(query, "page", 0, 0, Integer.MAX_VALUE);
        return service.list(Optional.ofNullable(query.getFirst("connectionId")).filter(s -> !s.isEmpty()),
                Optional.ofNullable(query.getFirst("endUserId")).filter(s -> !s.isEmpty()), limit, page)
                .map(list -> new ConnectionList(list.stream().map(ConnectionView::listItem).toList()));
    }

    @GET
    @Path("/{connectionId}")
    public Uni<ConnectionView> get(@PathParam("connectionId") String connectionId, @Context UriInfo uri) {
        QueryParams.requireOnly(uri.getQueryParameters(), GET_PARAMS);
        integration.requireIfPresent(uri.getQueryParameters().getFirst("provider_config_key"), "provider_config_key");
        return service.get(connectionId).map(ConnectionView::full);
    }

    @DELETE
    @Path("/{connectionId}")
    public Uni<Map<String, Boolean>> delete(@PathParam("connectionId") String connectionId, @Context UriInfo uri,
            @HeaderParam(HttpHeaders.AUTHORIZATION) String authorization) {
        QueryParams.requireOnly(uri.getQueryParameters(), DELETE_PARAMS);
        integration.requireIfPresent(uri.getQueryParameters().getFirst("provider_config_key"), "provider_config_key");
        return service.delete(connectionId)
                .invoke(() -> audit.byKey(SecretKeys.keyId(authorization), "delete", connectionId, "deleted"))
                .onFailure(GatewayException.class)
                .invoke(e -> audit.byKey(SecretKeys.keyId(authorization), "delete", connectionId,
                        "refused:" + ((GatewayException) e).code().code()))
                .replaceWith(Map.of("success", true));
    }

    private static int number(MultivaluedMap<String, String> query, String name, int fallback, int min, int max) {
        String raw = query.getFirst(name);
        if (raw == null || raw.isEmpty()) {
            return fallback;
        }
        try {
            int value = Integer.parseInt(raw);
            if (value >= min && value <= max) {
                return value;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new GatewayException(ErrorCode.INVALID_QUERY_PARAMS,
                name + " must be a whole number from " + min + " to " + max + ".",
                List.of(ErrorDetail.of(name, "out of range")));
    }
}
