package dev.hexgate.connectui;

import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.container.ContainerResponseContext;
import jakarta.ws.rs.container.ContainerResponseFilter;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MultivaluedMap;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.ext.Provider;

/**
 * CORS on the {@link BrowserApi} routes, for an {@code Origin} listed in {@code HEXGATE_CONNECT_FRAME_ANCESTORS} only
 * (answers and errors alike, so the SDK can read an error's code); no credentials (the session token travels in the
 * request itself). Any other origin gets no CORS headers, so its browser neither sends the JSON request nor reads an
 * answer.
 */
@Provider
@BrowserApi
public class BrowserCors implements ContainerResponseFilter {

    private final FrameOrigins origins;

    public BrowserCors(FrameOrigins origins) {
        this.origins = origins;
    }

    /** The answer to a preflight ({@code OPTIONS}) of a route taking {@code method}. */
    Response preflight(String origin, String method) {
        Response.ResponseBuilder answer = Response.noContent();
        if (origins.allows(origin)) {
            answer.header("Access-Control-Allow-Methods", method)
                    .header("Access-Control-Allow-Headers", "Authorization, Content-Type")
                    .header("Access-Control-Max-Age", "600");
        }
        return answer.build();
    }

    @Override
    public void filter(ContainerRequestContext request, ContainerResponseContext response) {
        MultivaluedMap<String, Object> headers = response.getHeaders();
        headers.add(HttpHeaders.VARY, "Origin");
        String origin = request.getHeaderString("Origin");
        if (origins.allows(origin)) {
            headers.putSingle("Access-Control-Allow-Origin", origin);
        }
    }
}
