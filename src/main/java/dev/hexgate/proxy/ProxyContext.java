package dev.hexgate.proxy;

import dev.hexgate.domain.StoredConnection;
import dev.hexgate.hex.HexOrigin;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpServerRequest;

/**
 * One proxied request on its way through the steps of {@link ProxyRoute}: what the caller sent, and what each step found
 * out (which connection, the raw upstream path, the retry plan, the stored token, the origin). Event-loop confined.
 */
public final class ProxyContext {

    private final HttpServerRequest request;
    private final String requestId;
    private final long startedNanos;
    private final ProxyStep[] steps;
    private String keyId;
    private String connectionId;
    private String pathAndQuery;
    private RetryPolicy.Plan retryPlan;
    private StoredConnection connection;
    private HexOrigin origin;

    ProxyContext(HttpServerRequest request, String requestId, ProxyStep[] steps) {
        this.request = request;
        this.requestId = requestId;
        this.steps = steps;
        this.startedNanos = System.nanoTime();
    }

    public HttpServerRequest request() {
        return request;
    }

    public String requestId() {
        return requestId;
    }

    public long startedNanos() {
        return startedNanos;
    }

    /** The non-reversible id of the caller's secret key, once authenticated. */
    public String keyId() {
        return keyId;
    }

    void authenticated(String keyId) {
        this.keyId = keyId;
    }

    public String connectionId() {
        return connectionId;
    }

    /** The raw path after {@code /proxy} and the raw query, byte for byte. */
    public String pathAndQuery() {
        return pathAndQuery;
    }

    public RetryPolicy.Plan retryPlan() {
        return retryPlan;
    }

    void target(String connectionId, String pathAndQuery, RetryPolicy.Plan retryPlan) {
        this.connectionId = connectionId;
        this.pathAndQuery = pathAndQuery;
        this.retryPlan = retryPlan;
    }

    public StoredConnection connection() {
        return connection;
    }

    void resolved(StoredConnection connection) {
        this.connection = connection;
    }

    public HexOrigin origin() {
        return origin;
    }

    void origin(HexOrigin origin) {
        this.origin = origin;
    }

    /** Hex answered: each step sees the answer, last step first (the response's way back through the chain). */
    void upstreamAnswered(HttpClientResponse response) {
        for (int i = steps.length - 1; i >= 0; i--) {
            steps[i].onUpstreamResponse(this, response);
        }
    }
}
