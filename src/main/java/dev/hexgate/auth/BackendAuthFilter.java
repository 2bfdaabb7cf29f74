package dev.hexgate.auth;

import jakarta.annotation.Priority;
import jakarta.ws.rs.Priorities;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.container.ContainerRequestFilter;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.ext.Provider;

import dev.hexgate.error.ErrorCode;
import dev.hexgate.error.GatewayException;

/** Refuses backend API calls without a full-access secret key, before the resource runs. */
@Provider
@BackendApi
@Priority(Priorities.AUTHENTICATION)
public class BackendAuthFilter implements ContainerRequestFilter {

    private final SecretKeys keys;

    public BackendAuthFilter(SecretKeys keys) {
        this.keys = keys;
    }

    @Override
    public void filter(ContainerRequestContext request) {
        Scope scope = keys.authenticate(request.getHeaderString(HttpHeaders.AUTHORIZATION));
        if (scope != Scope.FULL) {
            throw new GatewayException(ErrorCode.FORBIDDEN, "This secret key may only call /proxy.");
        }
    }
}
