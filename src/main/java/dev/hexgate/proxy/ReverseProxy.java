package dev.hexgate.proxy;

import java.time.Duration;
import java.util.Optional;

import jakarta.enterprise.context.ApplicationScoped;

import org.jboss.logging.Logger;

import dev.hexgate.config.HexgateConfig;
import dev.hexgate.error.ErrorCode;
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
 * Forwards a request that passed every step of {@link ProxyRoute} to its origin and streams the answer back. Bodies are
 * piped with back-pressure, never collected, except a request body kept for a retry (only when retries were asked for
 * and it fits {@code HEXGATE_PROXY_RETRY_BUFFER}). A caller that goes away cancels the upstream request and any retry.
 */
@ApplicationScoped
class ReverseProxy {

    private static final Logger LOG = Logger.getLogger(ReverseProxy.class);

    private final Vertx vertx;
    private final UpstreamClient upstream;
    private final RetryPolicy retries;
    private final ProxyMetrics metrics;
    private final ProxyRefusals refusals;
    private final long maxBodySize;
    private final long retryBuffer;

    ReverseProxy(Vertx vertx, UpstreamClient upstream, RetryPolicy retries, ProxyMetrics metrics, ProxyRefusals refusals,
            HexgateConfig config) {
        this.vertx = vertx;
        this.upstream = upstream;
        this.retries = retries;
        this.metrics = metrics;
        this.refusals = refusals;
        this.maxBodySize = config.proxy().maxBodySize().asLongValue();
        this.retryBuffer = config.proxy().retryBuffer().asLongValue();
    }

    void forward(ProxyContext ctx) {
        new Exchange(ctx).start();
    }

    /** One request's trip to Hex and back, over one or more attempts. */
    private final class Exchange {

        private final ProxyContext ctx;
        private final HttpServerRequest request;
        private final HttpServerResponse response;
        private final HexOrigin origin;
        private RetryPolicy.Plan plan;
        private MultiMap headers;
        /** The whole request body, read once and sent on every attempt; null when streamed or absent. */
        private Buffer replayableBody;
        private boolean streamedBody;
        private LimitedBody body;
        private HttpClientRequest current;
        private long retryTimer = -1;
        private Duration waited = Duration.ZERO;

        Exchange(ProxyContext ctx) {
            this.ctx = ctx;
            this.request = ctx.request();
            this.response = request.response();
            this.origin = ctx.origin();
            this.plan = ctx.retryPlan();
        }

        void start() {
            boolean hasBody = hasBody();
            headers = HeaderPolicy.upstreamRequest(request.headers(), ctx.requestId(), ctx.connection().token(), hasBody,
                    request.getHeader("Content-Length"));
            response.closeHandler(v -> cancel());
            if (!hasBody) {
                request.resume();
                attempt(0);
            } else if (plan.retries() > 0 && declaredLength() >= 0 && declaredLength() <= retryBuffer) {
                // Small enough to keep: read it once, replay it on every attempt.
                request.body().onSuccess(all -> {
                    replayableBody = all;
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
            upstream.open(origin, request.method(), ctx.pathAndQuery(), headers).onComplete(opened -> {
                if (response.closed()) {
                    if (opened.succeeded()) {
                        opened.result().reset();
                    }
                    return;
                }
                if (opened.failed()) {
                    LOG.debugf("Connecting to %s failed: %s", origin.host(), opened.cause().getClass().getSimpleName());
                    retryOrFail(n, retries.afterConnectionFailure(plan, n, waited), "connect",
                            new GatewayException(ErrorCode.UPSTREAM_UNREACHABLE,
                                    "Hex at " + origin.host() + " could not be reached."));
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
            if (replayableBody != null) {
                return upstreamRequest.send(replayableBody);
            }
            if (streamedBody) {
                body = new LimitedBody(request, maxBodySize, () -> fail(CheckDeclaredSize.tooLarge(maxBodySize)));
                return upstreamRequest.send(body);
            }
            return upstreamRequest.send();
        }

        private void onResponse(int n, HttpClientResponse upstreamResponse) {
            int status = upstreamResponse.statusCode();
            Optional<Duration> again = retries.afterStatus(plan, n, status, upstreamResponse.getHeader("Retry-After"), waited);
            if (again.isPresent()) {
                // This answer is discarded: its connection is reset rather than drained.
                upstreamResponse.request().reset();
                schedule(n, again.get(), String.valueOf(status));
                return;
            }
            ctx.upstreamAnswered(upstreamResponse);
            metrics.proxied(request.method(), status, "proxied", System.nanoTime() - ctx.startedNanos());
            response.setStatusCode(status);
            response.setStatusMessage(upstreamResponse.statusMessage());
            HeaderPolicy.copyResponse(upstreamResponse.headers(), response.headers(), ctx.requestId());
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
                fail(CheckDeclaredSize.tooLarge(maxBodySize));
            } else if (Failures.isResponseTimeout(failure)) {
                // Never retried: Hex may have processed the request.
                fail(new GatewayException(ErrorCode.UPSTREAM_TIMEOUT, "Hex at " + origin.host() + " did not answer in time."));
            } else {
                LOG.debugf("Request to %s failed: %s", origin.host(),
                        failure == null ? "?" : failure.getClass().getSimpleName());
                retryOrFail(n, retries.afterConnectionFailure(plan, n, waited), "reset",
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
            metrics.retried(reason);
            waited = waited.plus(wait);
            current = null;
            retryTimer = vertx.setTimer(Math.max(1, wait.toMillis()), id -> {
                retryTimer = -1;
                attempt(n + 1);
            });
        }

        private void fail(GatewayException error) {
            cancelUpstream();
            refusals.refuse(ctx, error);
        }

        /** The caller went away: stop the upstream request and any retry still waiting. */
        private void cancel() {
            if (retryTimer >= 0) {
                vertx.cancelTimer(retryTimer);
                retryTimer = -1;
            }
            cancelUpstream();
        }

        private void cancelUpstream() {
            if (current != null && !response.ended()) {
                current.reset();
            }
        }

        /** A body exists unless the request ended or declares length 0; HTTP/2 requests may carry neither header. */
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
}
