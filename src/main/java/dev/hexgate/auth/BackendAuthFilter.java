package dev.hexgate.auth;

import java.time.Duration;

import jakarta.ws.rs.Priorities;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.Response;

import org.jboss.resteasy.reactive.server.ServerRequestFilter;

import dev.hexgate.audit.AuditLog;
import dev.hexgate.error.ErrorCode;
import dev.hexgate.error.ErrorMappers;
import dev.hexgate.error.GatewayException;
import io.smallrye.mutiny.Uni;
import io.vertx.core.http.HttpServerRequest;

/**
 * Refuses backend API calls without a full-access secret key, before the resource runs; repeated failures from one
 * address are answered more and more slowly ({@link AuthThrottle}), without holding a thread.
 */
public class BackendAuthFilter {

    private final SecretKeys keys;
    private final AuthThrottle throttle;
    private final AuditLog audit;

    public BackendAuthFilter(SecretKeys keys, AuthThrottle throttle, AuditLog audit) {
        this.keys = keys;
        this.throttle = throttle;
        this.audit = audit;
    }

    @BackendApi
    @ServerRequestFilter(priority = Priorities.AUTHENTICATION)
    public Uni<Response> authenticate(ContainerRequestContext context, HttpServerRequest request) {
        String authorization = context.getHeaderString(HttpHeaders.AUTHORIZATION);
        try {
            if (keys.authenticate(authorization) != Scope.FULL) {
                audit.byKey(SecretKeys.keyId(authorization), "denied", null, ErrorCode.FORBIDDEN.code());
                return refuse(new GatewayException(ErrorCode.FORBIDDEN, "This secret key may only call /proxy."),
                        Duration.ZERO);
            }
            return Uni.createFrom().nullItem();
        } catch (GatewayException e) {
            audit.byKey(SecretKeys.keyId(authorization), "denied", null, e.code().code());
            AuthThrottle.DelayedRefusal held = throttle.refuse(request.remoteAddress().hostAddress(), e);
            return refuse(held.refusal(), held.delay());
        }
    }

    private static Uni<Response> refuse(GatewayException e, Duration delay) {
        Uni<Response> refusal = Uni.createFrom().item(ErrorMappers.toResponse(e));
        return delay.isZero() ? refusal : refusal.onItem().delayIt().by(delay);
    }
}
