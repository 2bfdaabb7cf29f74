package dev.hexgate.connectui;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import jakarta.ws.rs.GET;
import jakarta.ws.rs.OPTIONS;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.UriInfo;

import org.jboss.resteasy.reactive.RestHeader;

import dev.hexgate.auth.SecretKeys;
import dev.hexgate.config.HexgateConfig;
import dev.hexgate.domain.ConnectSession;
import dev.hexgate.domain.EndUser;
import dev.hexgate.error.ErrorCode;
import dev.hexgate.error.GatewayException;
import io.smallrye.mutiny.Uni;

/**
 * {@code GET /connect/session} with the connect session token as Bearer: what a frontend may know about its session, in
 * Nango's shape ({@code endUser}, {@code integrations_config_defaults}, {@code isReconnecting}); never the token.
 */
@Path("/connect/session")
@BrowserApi
@Produces(MediaType.APPLICATION_JSON)
public class ConnectSessionInfoResource {

    private final ConnectSessionService sessions;
    private final HexgateConfig config;
    private final BrowserCors cors;

    public ConnectSessionInfoResource(ConnectSessionService sessions, HexgateConfig config, BrowserCors cors) {
        this.sessions = sessions;
        this.config = config;
        this.cors = cors;
    }

    @GET
    public Uni<Map<String, Object>> get(@RestHeader(HttpHeaders.AUTHORIZATION) String authorization, @Context UriInfo uri) {
        if (!uri.getQueryParameters().isEmpty()) {
            throw new GatewayException(ErrorCode.INVALID_QUERY_PARAMS, "This route takes no query parameters.");
        }
        if (authorization == null || authorization.isEmpty()) {
            throw new GatewayException(ErrorCode.MISSING_AUTH_HEADER,
                    "Send the connect session token as Authorization: Bearer <token>.");
        }
        String token = SecretKeys.bearer(authorization);
        if (!ConnectSessionService.isTokenFormat(token)) {
            throw new GatewayException(ErrorCode.INVALID_CONNECT_SESSION_TOKEN_FORMAT,
                    "The Authorization header does not carry a connect session token.");
        }
        return sessions.lookup(token).map(lookup -> {
            if (lookup.state() != ConnectSessionService.State.OPEN) {
                throw ApiKeyAuthResource.unusable(lookup.state());
            }
            ConnectSession session = lookup.record().value();
            Map<String, Object> data = new LinkedHashMap<>();
            data.put("endUser", endUser(session.endUser()));
            data.put("allowed_integrations", List.of(config.providerConfigKey()));
            data.put("integrations_config_defaults", session.presetSubdomain() == null ? Map.of()
                    : Map.of(config.providerConfigKey(),
                            Map.of("connection_config", Map.of("subdomain", session.presetSubdomain()))));
            data.put("isReconnecting", session.isReconnect());
            data.put("expires_at", session.expiresAt());
            return Map.of("data", data);
        });
    }

    @OPTIONS
    public Response preflight(@RestHeader("Origin") String origin) {
        return cors.preflight(origin, "GET");
    }

    /** Nango's {@code ApiEndUser}: every field present, null when unknown. */
    private static Map<String, Object> endUser(EndUser user) {
        if (user == null) {
            return null;
        }
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("id", user.id());
        out.put("email", user.email());
        out.put("display_name", user.displayName());
        out.put("tags", user.tags());
        out.put("organization", null);
        return out;
    }
}
