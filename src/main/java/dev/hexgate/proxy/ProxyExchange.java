package dev.hexgate.proxy;

import java.time.Duration;
import java.util.Optional;

import org.jboss.logging.Logger;

import dev.hexgate.error.ErrorCode;
import dev.hexgate.error.ErrorResponses;
import dev.hexgate.error.GatewayException;
import dev.hexgate.hex.HexOrigin;
import dev.hexgate.support.Failures;
import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.http.HttpVersion;

/**
 * One proxied request on its way to Hex and back. Bodies are piped with back-pressure, never collected, except a request
 * body kept for a retry (only when retries were asked for and it fits {@code HEXGATE_PROXY_RETRY_BUFFER}). A caller that
 * goes away cancels the upstream request and any pending retry.
 */
final class ProxyExchange {

    private static final Logger LOG = Logger.getLogger(ProxyExchange.class);

    /** Everything an exchange needs from the route, resolved once per request. */
    record Setup(Vertx vertx, UpstreamClient upstream, ErrorResponses errors, RetryPolicy retries, ProxyMetrics metrics,
            long maxBodySize, long retryBuffer) {
    }

    private final HttpServerRequest request;
    private final HttpServerResponse response;
    private final String requestId;
    private final Setup setup;
    private RetryPolicy.Plan plan;
    private HexOrigin origin;
    private String pathAndQuery;
    private MultiMap headers;
    private Buffer kept;
    private boolean streamedBody;
    private LimitedBody body;
    private HttpClientRequest current;
    private long timer = -1;
    private Duration waited = Duration.ZERO;
    private final long started = System.nanoTime();

    ProxyExchange(HttpServerRequest request, String requestId, Setup setup) {
        this.request = request;
        this.response = request.response();
        this.requestId = requestId;
        this.setup = setup;
    }

    void start(HexOrigin target, String path, String token, RetryPolicy.Plan retryPlan) {
        this.origin = target;
        this.pathAndQuery = path;
        this.plan = retryPlan;
        boolean hasBody = hasBody();
        headers = HeaderPolicy.upstreamRequest(request.headers(), requestId, token, hasBody, request.getHeader("Content-Length"));
        response.closeHandler(v -> cancel());
        if (!hasBody) {
            request.resume();
            attempt(0);
        } else if (plan.retries() > 0 && declaredLength() >= 0 && declaredLength() <= setup.retryBuffer()) {
            // Small enough to keep: read it once, replay it on every attempt.
            request.body().onSuccess(all -> {
                kept = all;
                attempt(0);
            }).onFailure(e -> cancel());
            // body() only collects: the request was paused on arrival and must be resumed to be read.
            request.resume();
        } else {
            // Streamed bodies cannot be replayed, so this request gets one attempt.
            plan = plan.withoutRetries();
            streamedBody = true;
            attempt(0);
        }
    }

    private void attempt(int n) {
        setup.upstream().open(origin, request.method(), pathAndQuery, headers).onComplete(opened -> {
            if (response.closed()) {
                if (opened.succeeded()) {
                    opened.result().reset();
                }
                return;
            }
            if (opened.failed()) {
                LOG.debugf("Connecting to %s failed: %s", origin.host(), opened.cause().getClass().getSimpleName());
                retryOrFail(n, setup.retries().afterConnectionFailure(plan, n, waited), "connect",
                        new GatewayException(ErrorCode.UPSTREAM_UNREACHABLE, "Hex at " + origin.host() + " could not be reached."));
                return;
            }
            current = opened.result();
            send(current).onComplete(sent -> {
                if (sent.succeeded()) {
                    onResponse(n, sent.result());
                } else {
                    onFailure(n, sent.cause());
                }
            });
        });
    }

    private Future<HttpClientResponse> send(HttpClientRequest upstreamRequest) {
        if (kept != null) {
            return upstreamRequest.send(kept);
        }
        if (streamedBody) {
            body = new LimitedBody(request, setup.maxBodySize(), () -> fail(tooLarge()));
            return upstreamRequest.send(body);
        }
        return upstreamRequest.send();
    }

    private void onResponse(int n, HttpClientResponse upstreamResponse) {
        int status = upstreamResponse.statusCode();
        Optional<Duration> again = setup.retries().afterStatus(plan, n, status, upstreamResponse.getHeader("Retry-After"), waited);
        if (again.isPresent()) {
            // This answer is discarded: its connection is reset rather than drained.
            upstreamResponse.request().reset();
            schedule(n, again.get(), status == 429 ? "429" : String.valueOf(status));
            return;
        }
        setup.metrics().proxied(request.method(), status, "proxied", System.nanoTime() - started);
        response.setStatusCode(status);
        response.setStatusMessage(upstreamResponse.statusMessage());
        HeaderPolicy.copyResponse(upstreamResponse.headers(), response.headers(), requestId);
        boolean bodiless = request.method() == HttpMethod.HEAD || status == 204 || status == 304 || status < 200;
        if (!bodiless && upstreamResponse.getHeader("Content-Length") == null) {
            response.setChunked(true);
        }
        upstreamResponse.pipe().endOnFailure(false).to(response).onFailure(e -> {
            // Hex or the caller broke off mid-body: cut both sides rather than send a truncated body as complete.
            cancel();
            if (!response.closed()) {
                response.reset();
            }
        });
    }

    private void onFailure(int n, Throwable failure) {
        if (body != null && body.exceeded()) {
            fail(tooLarge());
        } else if (Failures.isResponseTimeout(failure)) {
            // Never retried: Hex may have processed the request.
            fail(new GatewayException(ErrorCode.UPSTREAM_TIMEOUT, "Hex at " + origin.host() + " did not answer in time."));
        } else {
            LOG.debugf("Request to %s failed: %s", origin.host(), failure == null ? "?" : failure.getClass().getSimpleName());
            retryOrFail(n, setup.retries().afterConnectionFailure(plan, n, waited), "reset",
                    new GatewayException(ErrorCode.UPSTREAM_UNREACHABLE,
                            "Hex at " + origin.host() + " closed the connection before answering."));
        }
    }

    private void retryOrFail(int n, Optional<Duration> again, String reason, GatewayException otherwise) {
        if (again.isPresent()) {
            schedule(n, again.get(), reason);
        } else {
            fail(otherwise);
        }
    }

    private void schedule(int n, Duration wait, String reason) {
        setup.metrics().retried(reason);
        waited = waited.plus(wait);
        current = null;
        timer = setup.vertx().setTimer(Math.max(1, wait.toMillis()), id -> {
            timer = -1;
            attempt(n + 1);
        });
    }

    private GatewayException tooLarge() {
        return new GatewayException(ErrorCode.REQUEST_TOO_LARGE,
                "The request body is larger than the limit of " + setup.maxBodySize() + " bytes.");
    }

    private void fail(GatewayException error) {
        cancelUpstream();
        if (response.ended() || response.closed()) {
            return;
        }
        setup.metrics().proxied(request.method(), error.code().status(), error.code().code(), System.nanoTime() - started);
        setup.errors().write(request, error);
    }

    /** The caller went away: stop the upstream request and any retry still waiting. */
    private void cancel() {
        if (timer >= 0) {
            setup.vertx().cancelTimer(timer);
            timer = -1;
        }
        cancelUpstream();
    }

    private void cancelUpstream() {
        if (current != null && !response.ended()) {
            current.reset();
        }
    }

    /** Build notes §3: a body exists unless the request ended or declares length 0; HTTP/2 requests may carry neither header. */
    private boolean hasBody() {
        if (request.isEnded()) {
            return false;
        }
        String length = request.getHeader("Content-Length");
        if (length != null) {
            return !length.trim().equals("0");
        }
        return request.getHeader("Transfer-Encoding") != null || request.version() == HttpVersion.HTTP_2;
    }

    private long declaredLength() {
        String length = request.getHeader("Content-Length");
        return length == null || request.getHeader("Transfer-Encoding") != null ? -1 : Long.parseLong(length.trim());
    }
}
