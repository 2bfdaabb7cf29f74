package dev.hexgate.connectui;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.OPTIONS;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.MultivaluedMap;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.UriInfo;

import org.jboss.resteasy.reactive.RestHeader;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;

import dev.hexgate.config.HexgateConfig;
import dev.hexgate.domain.ConnectSession;
import dev.hexgate.domain.Validation;
import dev.hexgate.error.ErrorCode;
import dev.hexgate.error.ErrorDetail;
import dev.hexgate.error.GatewayException;
import dev.hexgate.error.QueryParams;
import io.quarkus.runtime.annotations.RegisterForReflection;
import io.smallrye.mutiny.Uni;

/**
 * Headless {@code nango.auth('hex', {credentials:{apiKey}, params:{subdomain}})} from {@code @nangohq/frontend}:
 * {@code POST /api-auth/api-key/{key}?connect_session_token=…&params[subdomain]=…} with {@code {"apiKey"}}. The same
 * checks, Hex verification, single-use claim and linking as the Connect page's form (reconnect sessions included);
 * errors are Nango's JSON so the SDK's {@code AuthError} carries the code.
 */
@Path("/api-auth/api-key")
@BrowserApi
@Produces(MediaType.APPLICATION_JSON)
public class ApiKeyAuthResource {

    static final String SUBDOMAIN = "params[subdomain]";
    private static final String TOKEN = "connect_session_token";

    private final ConnectSessionService sessions;
    private final SessionLinks links;
    private final HexgateConfig config;
    private final BrowserCors cors;

    public ApiKeyAuthResource(ConnectSessionService sessions, SessionLinks links, HexgateConfig config, BrowserCors cors) {
        this.sessions = sessions;
        this.links = links;
        this.config = config;
        this.cors = cors;
    }

    /** The body the SDK sends for an API-key provider; anything else is refused. */
    @RegisterForReflection
    @JsonIgnoreProperties(ignoreUnknown = false)
    public record Credentials(String apiKey) {
    }

    @POST
    @Path("/{providerConfigKey}")
    @Consumes(MediaType.APPLICATION_JSON)
    public Uni<Map<String, String>> auth(@PathParam("providerConfigKey") String providerConfigKey, Credentials body,
            @Context UriInfo uri) {
        MultivaluedMap<String, String> query = uri.getQueryParameters();
        if (query.containsKey("connection_id")) {
            // As Nango: the session decides which connection is made or reconnected.
            throw new GatewayException(ErrorCode.INVALID_QUERY_PARAMS, "connection_id is forbidden when using session token",
                    List.of(ErrorDetail.of("connection_id", "forbidden with a connect session token")));
        }
        QueryParams.requireOnly(query, Set.of(TOKEN, SUBDOMAIN));
        String token = query.getFirst(TOKEN);
        if (token == null || token.isEmpty()) {
            throw new GatewayException(ErrorCode.INVALID_CONNECT_SESSION_TOKEN_FORMAT,
                    "A connect session token is required (connect_session_token).");
        }
        if (!ConnectSessionService.isTokenFormat(token)) {
            throw new GatewayException(ErrorCode.INVALID_CONNECT_SESSION_TOKEN_FORMAT,
                    "This is not a connect session token.");
        }
        return sessions.lookup(token).flatMap(lookup -> {
            if (lookup.state() != ConnectSessionService.State.OPEN) {
                throw unusable(lookup.state());
            }
            if (!config.providerConfigKey().equals(providerConfigKey)) {
                throw new GatewayException(ErrorCode.UNKNOWN_PROVIDER_CONFIG,
                        "This gateway serves only the integration '" + config.providerConfigKey() + "'.");
            }
            ConnectSession session = lookup.record().value();
            String subdomain = SessionLinks.subdomain(session, query.getFirst(SUBDOMAIN));
            List<ErrorDetail> errors = new ArrayList<>();
            if (!Validation.isSubdomain(subdomain)) {
                errors.add(ErrorDetail.of(SUBDOMAIN, subdomain == null ? "required: your Hex subdomain, such as app or eu"
                        : "must be one lower-case DNS label such as app, eu or your single-tenant name"));
            }
            String apiKey = body == null ? null : body.apiKey();
            if (!Validation.isToken(apiKey)) {
                errors.add(
                        ErrorDetail.of("apiKey", "a Hex API token: hxtp_ or hxtw_ followed by 16 to 256 letters and digits"));
            }
            if (!errors.isEmpty()) {
                throw new GatewayException(ErrorCode.INVALID_BODY, "The credentials or parameters failed validation.", errors);
            }
            return links.link(lookup, subdomain, apiKey, "_api").map(connection -> Map.of(
                    "connectionId", connection.connectionId(), "providerConfigKey", connection.providerConfigKey()));
        })
                .onFailure(SessionLinks.SessionUsed.class)
                .transform(e -> unusable(ConnectSessionService.State.USED))
                .onFailure(e -> e instanceof GatewayException g && g.code() == ErrorCode.UNKNOWN_CONNECTION)
                .transform(e -> new GatewayException(ErrorCode.INVALID_CONNECTION,
                        "The connection this reconnect session was for no longer exists; nothing was saved."));
    }

    @OPTIONS
    @Path("/{providerConfigKey}")
    public Response preflight(@RestHeader("Origin") String origin) {
        return cors.preflight(origin, "POST");
    }

    /** An unknown, expired or used session, as Nango answers an unknown one (it has no used or expired sessions). */
    static GatewayException unusable(ConnectSessionService.State state) {
        return new GatewayException(ErrorCode.UNKNOWN_CONNECT_SESSION_TOKEN, switch (state) {
            case EXPIRED -> "This connect session has expired.";
            case USED -> "This connect session has already been used; each works once.";
            default -> "Unknown connect session token.";
        });
    }
}
