package dev.hexgate.proxy;

import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

import io.vertx.core.MultiMap;
import io.vertx.core.http.HttpMethod;

/**
 * Which headers cross the proxy in each direction (docs/contract.md §6). Every list is here, and only here; the stored
 * token is set last, so nothing a caller sends can replace it.
 */
public final class HeaderPolicy {

    public static final String REQUEST_ID = "X-Request-Id";
    private static final String NANGO_PROXY_PREFIX = "nango-proxy-";

    /** RFC 9110 §7.6.1: connection-specific headers never travel past one hop. */
    static final Set<String> HOP_BY_HOP = Set.of("connection", "keep-alive", "proxy-connection", "proxy-authenticate",
            "proxy-authorization", "te", "trailer", "transfer-encoding", "upgrade", "http2-settings");

    /**
     * Caller credentials and routing headers (token exfiltration, host and forwarding spoofing), the framing the gateway
     * sets itself, and W3C {@code baggage}, which carries the caller's application data (user ids, tenants) that Hex has
     * no use for. {@code traceparent}/{@code tracestate} cross, as they only name a trace; while tracing is on the
     * gateway's tracer writes them itself (continuing the caller's trace), and the caller's copies are dropped.
     */
    static final Set<String> CALLER_ONLY = Set.of("authorization", "cookie", "host", "forwarded", "x-real-ip",
            "content-length", "expect", "baggage");

    /**
     * Hex's own session cookies belong to hex.tech, not to the gateway's origin the caller sees; {@code Alt-Svc} would
     * point the caller's client at Hex's HTTP/3 endpoint for the gateway's host name.
     */
    static final Set<String> HEX_ONLY = Set.of("set-cookie", "set-cookie2", "alt-svc");

    /** Methods whose requests carry a body by definition: without one they get {@code Content-Length: 0} (RFC 9110 §8.6). */
    private static final Set<HttpMethod> BODY_METHODS = Set.of(HttpMethod.POST, HttpMethod.PUT, HttpMethod.PATCH);

    /** The gateway's own control headers (Nango's proxy API): they steer hexgate and mean nothing to Hex. */
    static final Set<String> CONTROL = Set.of("connection-id", "provider-config-key", "retries", "retry-on",
            "base-url-override", "decompress", "forward-headers-on-redirect");

    private HeaderPolicy() {
    }

    /**
     * The headers to send to Hex: the caller's end-to-end headers and {@code Nango-Proxy-<Name>} as {@code <Name>}, then
     * the request id and the stored token. {@code setByTracer} (lower case) are the headers the tracer writes on the hop
     * itself ({@code traceparent}, {@code tracestate}): the caller's are left out so Hex gets one of each.
     */
    public static MultiMap upstreamRequest(HttpMethod method, MultiMap caller, String requestId, String token,
            boolean hasBody, String contentLength, Set<String> setByTracer) {
        Set<String> namedInConnection = namedIn(caller.getAll("connection"));
        MultiMap out = MultiMap.caseInsensitiveMultiMap();
        boolean renamed = false;
        for (Map.Entry<String, String> h : caller) {
            String key = h.getKey();
            if (startsWithIgnoreCase(key, "nango-")) {
                renamed |= startsWithIgnoreCase(key, NANGO_PROXY_PREFIX);
            } else if (isForwardable(key.toLowerCase(Locale.ROOT), namedInConnection, setByTracer)) {
                out.add(key, h.getValue());
            }
        }
        if (renamed) {
            for (Map.Entry<String, String> h : caller) {
                if (startsWithIgnoreCase(h.getKey(), NANGO_PROXY_PREFIX)) {
                    String target = h.getKey().substring(NANGO_PROXY_PREFIX.length());
                    // Renamed headers obey the same rules: Nango-Proxy-Authorization/-Host/-Cookie are dropped.
                    String lower = target.toLowerCase(Locale.ROOT);
                    if (!target.isEmpty() && !lower.startsWith("nango-")
                            && isForwardable(lower, namedInConnection, setByTracer)) {
                        out.set(target, h.getValue());
                    }
                }
            }
        }
        // RFC 9112 §6.3: with Transfer-Encoding present, Content-Length is ignored; it is forwarded only when it frames the body.
        if (hasBody && contentLength != null && !caller.contains("transfer-encoding")) {
            out.set("Content-Length", contentLength);
        } else if (!hasBody && BODY_METHODS.contains(method)) {
            // Without either framing header, origins and CDNs answer a POST with 411 Length Required.
            out.set("Content-Length", "0");
        }
        out.set(REQUEST_ID, requestId);
        out.set("Authorization", "Bearer " + token);
        return out;
    }

    /**
     * The headers to return to the caller: everything Hex sent except hop-by-hop ones and {@link #HEX_ONLY}; the request
     * id is the gateway's.
     */
    public static void copyResponse(MultiMap upstream, MultiMap out, String requestId) {
        Set<String> namedInConnection = namedIn(upstream.getAll("connection"));
        for (Map.Entry<String, String> h : upstream) {
            String name = h.getKey().toLowerCase(Locale.ROOT);
            if (!HOP_BY_HOP.contains(name) && !HEX_ONLY.contains(name) && !namedInConnection.contains(name)
                    && !name.equals("x-request-id")) {
                out.add(h.getKey(), h.getValue());
            }
        }
        out.set(REQUEST_ID, requestId);
    }

    private static boolean isForwardable(String lowerName, Set<String> namedInConnection, Set<String> setByTracer) {
        return !HOP_BY_HOP.contains(lowerName)
                && !setByTracer.contains(lowerName)
                && !CALLER_ONLY.contains(lowerName)
                && !CONTROL.contains(lowerName)
                && !namedInConnection.contains(lowerName)
                && !lowerName.startsWith("x-forwarded-");
    }

    private static boolean startsWithIgnoreCase(String name, String lowerPrefix) {
        return name.regionMatches(true, 0, lowerPrefix, 0, lowerPrefix.length());
    }

    /** RFC 9110 §7.6.1: a header named in {@code Connection} is hop-by-hop too. */
    private static Set<String> namedIn(List<String> connectionHeaders) {
        if (connectionHeaders.isEmpty()) {
            return Set.of();
        }
        Set<String> names = new HashSet<>();
        for (String value : connectionHeaders) {
            for (String token : value.split(",")) {
                String t = token.trim().toLowerCase(Locale.ROOT);
                if (!t.isEmpty()) {
                    names.add(t);
                }
            }
        }
        return names;
    }
}
