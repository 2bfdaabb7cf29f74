package dev.hexgate.web;

import jakarta.ws.rs.HttpMethod;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.container.ContainerResponseContext;
import jakarta.ws.rs.core.HttpHeaders;

import org.jboss.resteasy.reactive.server.ServerResponseFilter;

import dev.hexgate.error.AllowedMethods;

/**
 * {@code OPTIONS} names exactly the methods of the route asked about. Quarkus REST's own answer lists every method of
 * the resource class, its sub-paths' included ({@code DELETE} for {@code /connections}); schemathesis found that.
 */
public class OptionsAllow {

    @ServerResponseFilter
    public void allow(ContainerRequestContext request, ContainerResponseContext response) {
        if (HttpMethod.OPTIONS.equals(request.getMethod())) {
            AllowedMethods.of(request.getUriInfo().getPath())
                    .ifPresent(methods -> response.getHeaders().putSingle(HttpHeaders.ALLOW, methods));
        }
    }
}
