package dev.hexgate.connectui;

import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.container.ContainerResponseContext;
import jakarta.ws.rs.container.ContainerResponseFilter;
import jakarta.ws.rs.core.MultivaluedMap;
import jakarta.ws.rs.ext.Provider;

/**
 * Headers on every HTML page: nothing from elsewhere, no caching, no referrer (a session token can be in the URL or the
 * page), framing only by {@code HEXGATE_CONNECT_FRAME_ANCESTORS}. A page with a script sets its own policy with that
 * response's nonce ({@link #policy}); anything else gets {@code script-src 'none'}.
 */
@Provider
@HtmlPage
public class HtmlSecurityHeaders implements ContainerResponseFilter {

    static final String CSP = "Content-Security-Policy";

    private final FrameOrigins origins;

    public HtmlSecurityHeaders(FrameOrigins origins) {
        this.origins = origins;
    }

    /** The policy of a page whose only script is the inline one carrying {@code nonce}. */
    String policy(String nonce) {
        return "default-src 'self'; script-src " + (nonce == null ? "'none'" : "'nonce-" + nonce + "'")
                + "; style-src 'self'; img-src 'self'; connect-src 'none'; form-action 'self'; frame-ancestors "
                + origins.frameAncestors() + "; base-uri 'none'; object-src 'none'";
    }

    @Override
    public void filter(ContainerRequestContext request, ContainerResponseContext response) {
        MultivaluedMap<String, Object> h = response.getHeaders();
        if (!h.containsKey(CSP)) {
            h.putSingle(CSP, policy(null));
        }
        h.putSingle("X-Content-Type-Options", "nosniff");
        h.putSingle("Referrer-Policy", "no-referrer");
        h.putSingle("Cache-Control", "no-store");
        if (!origins.any()) {
            // Older browsers know only this header; with allowed ancestors, frame-ancestors alone decides.
            h.putSingle("X-Frame-Options", "DENY");
        }
    }
}
