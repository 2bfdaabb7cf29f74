package dev.hexgate.connectui;

import java.util.Map;
import java.util.Set;

import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.UriInfo;

import org.jboss.resteasy.reactive.RestResponse;

import dev.hexgate.audit.AuditLog;
import dev.hexgate.auth.BackendApi;
import dev.hexgate.auth.SecretKeys;
import dev.hexgate.error.GatewayException;
import dev.hexgate.error.QueryParams;
import io.smallrye.mutiny.Uni;

/** {@code POST /connect/sessions}: a backend asks for a link its end user can open to connect a Hex account. */
@Path("/connect/sessions")
@BackendApi
@Produces(MediaType.APPLICATION_JSON)
public class ConnectSessionResource {

    private final ConnectSessionService sessions;
    private final AuditLog audit;

    public ConnectSessionResource(ConnectSessionService sessions, AuditLog audit) {
        this.sessions = sessions;
        this.audit = audit;
    }

    /** Nango's envelope: {@code {"data":{"token","connect_link","expires_at"}}}. */
    public record Envelope(Map<String, String> data) {
    }

    @POST
    @Consumes(MediaType.APPLICATION_JSON)
    public Uni<RestResponse<Envelope>> create(ConnectSessionRequest request, @Context UriInfo uri,
            @HeaderParam("Authorization") String authorization) {
        QueryParams.requireOnly(uri.getQueryParameters(), Set.of());
        // A session is a capability to attach a Hex account to an end user: who asked for one is audited.
        String keyId = SecretKeys.keyId(authorization);
        return answer(sessions.create(request), keyId, "connect_session", null);
    }

    /** Nango's {@code createReconnectSession()}: a session whose submit replaces the token of one connection. */
    @POST
    @Path("/reconnect")
    @Consumes(MediaType.APPLICATION_JSON)
    public Uni<RestResponse<Envelope>> reconnect(ReconnectSessionRequest request, @Context UriInfo uri,
            @HeaderParam("Authorization") String authorization) {
        QueryParams.requireOnly(uri.getQueryParameters(), Set.of());
        String keyId = SecretKeys.keyId(authorization);
        return answer(sessions.createReconnect(request), keyId, "reconnect_session",
                request == null ? null : request.connectionId());
    }

    private Uni<RestResponse<Envelope>> answer(Uni<ConnectSessionService.Created> creation, String keyId, String action,
            String connectionId) {
        return creation
                .invoke(created -> audit.byKey(keyId, action, connectionId, "created"))
                .onFailure(GatewayException.class)
                .invoke(e -> audit.byKey(keyId, action, connectionId, ((GatewayException) e).code().code()))
                .map(created -> RestResponse.status(RestResponse.Status.CREATED, new Envelope(Map.of(
                        "token", created.token(), "connect_link", created.connectLink(), "expires_at", created.expiresAt()))));
    }
}
