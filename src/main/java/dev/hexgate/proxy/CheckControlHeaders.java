package dev.hexgate.proxy;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.regex.Pattern;

import jakarta.inject.Singleton;

import dev.hexgate.domain.Validation;
import dev.hexgate.error.ErrorCode;
import dev.hexgate.error.ErrorDetail;
import dev.hexgate.error.GatewayException;
import dev.hexgate.integration.IntegrationKey;
import io.vertx.core.Future;
import io.vertx.core.http.HttpServerRequest;

/**
 * Step 2: the control headers ({@code Connection-Id}, {@code Provider-Config-Key}, {@code Base-Url-Override},
 * {@code Retries}, {@code Retry-On}) and the path, before anything is looked up or sent (docs/contract.md, "Proxy").
 */
@Singleton
class CheckControlHeaders implements ProxyStep {

    static final String PREFIX = "/proxy";
    private static final int MAX_DECODE_ROUNDS = 3;
    private static final Pattern SEPARATORS = Pattern.compile("[/\\\\]");

    private final IntegrationKey integration;
    private final RetryPolicy retries;

    CheckControlHeaders(IntegrationKey integration, RetryPolicy retries) {
        this.integration = integration;
        this.retries = retries;
    }

    @Override
    public Future<Void> apply(ProxyContext ctx) {
        try {
            HttpServerRequest request = ctx.request();
            String connectionId = connectionId(request);
            integration.requireIfPresent(request.getHeader("Provider-Config-Key"), "Provider-Config-Key");
            // SSRF: the upstream host comes only from the stored subdomain. Every occurrence counts: an empty first one
            // must not hide a second. (contains() first: getAll() builds a list, and almost no request has one.)
            if (request.headers().contains("Base-Url-Override")
                    && request.headers().getAll("Base-Url-Override").stream().anyMatch(v -> !v.isBlank())) {
                throw invalidHeader("base-url-override",
                        "Base-Url-Override is not supported; the host comes from the connection.");
            }
            String retriesHeader = request.getHeader("Retries");
            checkRetries(retriesHeader);
            String retryOn = request.getHeader("Retry-On");
            RetryPolicy.checkRetryOn(retryOn);
            ctx.target(connectionId, upstreamPathAndQuery(request), retries.plan(request.method(), retriesHeader, retryOn));
            return Future.succeededFuture();
        } catch (GatewayException e) {
            return Future.failedFuture(e);
        }
    }

    private static String connectionId(HttpServerRequest request) {
        String connectionId = request.getHeader("Connection-Id");
        if (connectionId == null || connectionId.isEmpty()) {
            throw invalidHeader("connection-id", "Connection-Id header is required.");
        }
        if (!Validation.isConnectionId(connectionId) || request.headers().getAll("Connection-Id").size() > 1) {
            throw invalidHeader("connection-id", "Connection-Id is not a valid connection id.");
        }
        return connectionId;
    }

    /** The raw path after {@code /proxy} and the raw query, byte for byte, refusing any {@code ..} segment. */
    static String upstreamPathAndQuery(HttpServerRequest request) {
        String uri = request.uri();
        if (!uri.startsWith("/")) {
            // absolute-form request target: only its path and query count
            String query = request.query();
            uri = request.path() + (query != null ? "?" + query : "");
        }
        if (uri.indexOf('#') >= 0) {
            // RFC 9112 §3.2: a request target has no fragment; a '#' could hide a '..' from this check but not from Hex.
            throw new GatewayException(ErrorCode.INVALID_PATH, "The proxy path may not contain '#'.");
        }
        int q = uri.indexOf('?');
        String path = q < 0 ? uri : uri.substring(0, q);
        String rest = path.substring(PREFIX.length());
        if (climbs(rest)) {
            throw new GatewayException(ErrorCode.INVALID_PATH,
                    "The proxy path may not contain '..' segments, malformed percent-encoding or an encoded '%'.");
        }
        return q < 0 ? rest : rest + uri.substring(q);
    }

    /**
     * Path traversal: a {@code ..} segment, with {@code /} or {@code \} as separator, at any depth of percent-decoding;
     * a segment such as {@code ..;x} counts too, as servers that strip path parameters read it as {@code ..}. A {@code %}
     * left after one decoding (an escaped {@code %25}) is refused as well: the next reader would decode it again.
     */
    static boolean climbs(String rawPath) {
        if (rawPath.indexOf("..") < 0 && rawPath.indexOf('%') < 0) {
            return false;
        }
        String current = rawPath;
        for (int round = 0; round <= MAX_DECODE_ROUNDS; round++) {
            for (String segment : SEPARATORS.split(current, -1)) {
                if (segment.equals("..") || segment.startsWith("..;")) {
                    return true;
                }
            }
            String decoded = decode(current);
            if (decoded == null || round == 0 && decoded.indexOf('%') >= 0) {
                // An escaped '%' (%25) would be decoded again by whoever reads it next, to who knows what: refused,
                // which also keeps the rule one OpenAPI pattern can state (no '%' in the decoded path).
                return true;
            }
            if (decoded.equals(current)) {
                return false;
            }
            current = decoded;
        }
        return true;
    }

    private static String decode(String value) {
        if (value.indexOf('%') < 0) {
            return value;
        }
        try {
            return URLDecoder.decode(value.replace("+", "%2B"), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    private static void checkRetries(String retries) {
        if (retries == null || retries.isEmpty()) {
            return;
        }
        try {
            if (Integer.parseInt(retries.trim()) >= 0 && retries.trim().length() <= 4) {
                return;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw invalidHeader("retries", "Retries must be a whole number of at least 0.");
    }

    private static GatewayException invalidHeader(String header, String message) {
        return new GatewayException(ErrorCode.INVALID_HEADERS, message, List.of(ErrorDetail.of(header, message)));
    }
}
