package dev.hexgate.proxy;

import java.time.Duration;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

import jakarta.inject.Singleton;

import org.jboss.logging.Logger;

import dev.hexgate.config.HexgateConfig;
import dev.hexgate.connection.TokenHealth;
import dev.hexgate.error.ErrorCode;
import dev.hexgate.error.GatewayException;
import dev.hexgate.hex.HexOrigin;
import dev.hexgate.hex.UpstreamClient;
import dev.hexgate.support.Failures;
import io.opentelemetry.api.OpenTelemetry;
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
 * piped with back-pressure, never collected, except a request body kept for a retry (only when retries were asked for,
 * it fits {@code HEXGATE_PROXY_RETRY_BUFFER} and the shared {@link RetryBuffers} budget). A caller that goes away cancels
 * the upstream request and any retry.
 * <p>
 * Timing: while the caller's body arrives, {@code HEXGATE_PROXY_TIMEOUT} bounds each pause in it (408, or 504 when it is
 * Hex that stopped reading); Hex's own clock starts once the last byte has been sent, so an upload may take as long as it
 * keeps moving.
 */
@Singleton
class ReverseProxy {

    private static final Logger LOG = Logger.getLogger(ReverseProxy.class);

    private final Vertx vertx;
    private final UpstreamClient upstream;
    private final RetryPolicy retries;
    private final RetryBuffers buffers;
    private final ProxyMetrics metrics;
    private final ProxyRefusals refusals;
    private final TokenHealth tokenHealth;
    private final ProxyStep[] reResolve;
    private final long maxBodySize;
    private final long retryBuffer;
    private final long timeoutMs;
    /** The headers the tracer writes on each hop (none while tracing is off). */
    private final Set<String> setByTracer;

    ReverseProxy(Vertx vertx, UpstreamClient upstream, RetryPolicy retries, RetryBuffers buffers, ProxyMetrics metrics,
            ProxyRefusals refusals, ResolveConnection resolve, BuildOrigin origin, HexgateConfig config,
            OpenTelemetry telemetry, TokenHealth tokenHealth) {
        this.vertx = vertx;
        this.tokenHealth = tokenHealth;
        this.upstream = upstream;
        this.retries = retries;
        this.buffers = buffers;
        this.metrics = metrics;
        this.refusals = refusals;
        this.reResolve = new ProxyStep[] { resolve, origin };
        this.maxBodySize = config.proxy().maxBodySize().asLongValue();
        this.retryBuffer = config.proxy().retryBuffer().asLongValue();
        this.timeoutMs = config.proxy().timeout().toMillis();
        this.setByTracer = telemetry.getPropagators().getTextMapPropagator().fields().stream()
                .map(f -> f.toLowerCase(Locale.ROOT)).collect(Collectors.toUnmodifiableSet());
    }

    void forward(ProxyContext ctx) {
        new Exchange(ctx).start();
    }

    /** One request's trip to Hex and back, over one or more attempts. Event-loop confined. */
    private final class Exchange implements LimitedBody.Progress {

        private final ProxyContext ctx;
        private final HttpServerRequest request;
        private final HttpServerResponse response;
        private HexOrigin origin;
        private RetryPolicy.Plan plan;
        private MultiMap headers;
        /** The whole request body, read once and sent on every attempt; null when streamed or absent. */
        private Buffer replayableBody;
        /** Bytes taken from the shared retry budget, given back when the exchange ends. */
        private long reserved;
        private LimitedBody body;
        private boolean bodySent;
        private HttpClientRequest current;
        private long retryTimer = -1;
        private long callerTimer = -1;
        private long lastCallerChunk;
        private boolean over;
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
            headers = HeaderPolicy.upstreamRequest(request.method(), request.headers(), ctx.requestId(),
                    ctx.connection().token(), hasBody, request.getHeader("Content-Length"), setByTracer);
            response.closeHandler(v -> cancel());
            long declared = hasBody ? declaredLength() : -1;
            if (!hasBody) {
                bodySent = true;
                request.resume();
                attempt(0);
            } else if (plan.retries() > 0 && declared >= 0 && declared <= retryBuffer && buffers.reserve(declared)) {
                // Small enough to keep: read it once, replay it on every attempt.
                reserved = declared;
                collect(declared);
            } else {
                // Streamed bodies cannot be replayed, so this request gets one attempt.
                plan = plan.withoutRetries();
                body = new LimitedBody(request, maxBodySize, this);
                attempt(0);
            }
        }

        /** Reads the whole (declared, budgeted) body before the first attempt, timing the caller as it goes. */
        private void collect(long declared) {
            Buffer all = Buffer.buffer((int) declared);
            request.handler(chunk -> {
                if (!over) {
                    chunk();
                    all.appendBuffer(chunk);
                }
            });
            request.exceptionHandler(e -> cancel());
            request.endHandler(v -> {
                if (!over) {
                    stopWatchingCaller();
                    replayableBody = all;
                    bodySent = true;
                    attempt(0);
                }
            });
            watchCaller();
            // The request was paused on arrival and must be resumed to be read.
            request.resume();
        }

        private void attempt(int n) {
            upstream.open(origin, request.method(), ctx.pathAndQuery(), headers).onComplete(opened -> {
                if (over || response.closed()) {
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
                // Traced by ProxyTracing, which gives Hex the traceparent.
                current.traceOperation(ProxyTracing.HOP);
                // Its failures reach this exchange through send()'s future; without a handler Vert.x would also log
                // each one (our own resets included) at ERROR.
                current.exceptionHandler(e -> LOG.debugf("Upstream request ended early: %s", e.getClass().getSimpleName()));
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
            Future<HttpClientResponse> answer;
            if (replayableBody != null) {
                answer = upstreamRequest.send(replayableBody);
            } else if (body != null) {
                watchCaller();
                return upstreamRequest.send(body);
            } else {
                answer = upstreamRequest.send();
            }
            // The whole request is written: from now on it is Hex's time.
            upstreamRequest.idleTimeout(timeoutMs);
            return answer;
        }

        @Override
        public void exceeded() {
            fail(CheckDeclaredSize.tooLarge(maxBodySize));
        }

        @Override
        public void chunk() {
            lastCallerChunk = System.nanoTime();
        }

        @Override
        public void ended() {
            stopWatchingCaller();
            bodySent = true;
            if (current != null) {
                current.idleTimeout(timeoutMs);
            }
        }

        /** Starts the caller's clock: each pause in its body may last up to the timeout, checked without a timer per chunk. */
        private void watchCaller() {
            lastCallerChunk = System.nanoTime();
            callerTimer = vertx.setTimer(timeoutMs, id -> checkCaller());
        }

        private void checkCaller() {
            callerTimer = -1;
            if (over || bodySent) {
                return;
            }
            long quietMs = (System.nanoTime() - lastCallerChunk) / 1_000_000;
            if (quietMs < timeoutMs) {
                callerTimer = vertx.setTimer(Math.max(1, timeoutMs - quietMs), id -> checkCaller());
            } else if (current != null && current.writeQueueFull()) {
                // The caller is held back by Hex not reading: the wait is Hex's.
                fail(new GatewayException(ErrorCode.UPSTREAM_TIMEOUT,
                        "Hex at " + origin.host() + " stopped reading the request body."));
            } else {
                fail(new GatewayException(ErrorCode.REQUEST_TIMEOUT,
                        "The request body stopped arriving for longer than the proxy timeout."));
            }
        }

        private void stopWatchingCaller() {
            if (callerTimer >= 0) {
                vertx.cancelTimer(callerTimer);
                callerTimer = -1;
            }
        }

        private void onResponse(int n, HttpClientResponse upstreamResponse) {
            if (over) {
                discard(upstreamResponse);
                return;
            }
            int status = upstreamResponse.statusCode();
            Optional<Duration> again = retries.afterStatus(plan, n, status, upstreamResponse.getHeader("Retry-After"), waited);
            if (again.isPresent()) {
                discard(upstreamResponse);
                schedule(n, again.get(), String.valueOf(status));
                return;
            }
            releaseBuffer();
            if (status == 401) {
                // Hex refused the token: it is checked now, and the connection marked if it has died.
                tokenHealth.suspect(ctx.connectionId());
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
                // On the next turn of the loop: when it is the caller that went away, Vert.x fails the pipe's write before
                // it marks the response closed, and resetting a response whose channel is already closed makes Netty
                // release a buffer twice (a WARN with a stack trace per disconnect, seen under wrk).
                vertx.getOrCreateContext().runOnContext(v -> {
                    if (!response.closed()) {
                        response.reset();
                    }
                });
            });
        }

        /** An answer nobody will read: its connection is reset rather than drained. */
        private void discard(HttpClientResponse upstreamResponse) {
            upstreamResponse.exceptionHandler(e -> LOG.debugf("Discarded answer reset: %s", e.getClass().getSimpleName()));
            upstreamResponse.request().reset();
        }

        private void onFailure(int n, Throwable failure) {
            if (over) {
                return;
            }
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
                reResolve(0).onComplete(found -> {
                    if (over) {
                        return;
                    }
                    if (found.failed()) {
                        // Deleted (404) or now unreadable while this request waited: its old token is not sent again.
                        fail(found.cause());
                        return;
                    }
                    origin = ctx.origin();
                    headers.set("Authorization", "Bearer " + ctx.connection().token());
                    attempt(n + 1);
                });
            });
        }

        /** Looks the connection up again before a retry (cache, then store), as the steps did before the first attempt. */
        private Future<Void> reResolve(int step) {
            if (step == reResolve.length) {
                return Future.succeededFuture();
            }
            return reResolve[step].apply(ctx).compose(v -> reResolve(step + 1));
        }

        private void fail(Throwable error) {
            if (over) {
                return;
            }
            over = true;
            stopReading();
            cancelUpstream();
            refusals.refuse(ctx, error);
        }

        /** The caller went away: stop the upstream request and any retry still waiting. */
        private void cancel() {
            if (over) {
                return;
            }
            over = true;
            if (retryTimer >= 0) {
                vertx.cancelTimer(retryTimer);
                retryTimer = -1;
            }
            stopReading();
            cancelUpstream();
        }

        /** Nothing more of the caller's body is read or passed on, and its retry buffer goes back to the budget. */
        private void stopReading() {
            stopWatchingCaller();
            if (body != null) {
                body.stop();
            } else if (!bodySent) {
                request.pause();
            }
            releaseBuffer();
        }

        private void releaseBuffer() {
            replayableBody = null;
            if (reserved > 0) {
                buffers.release(reserved);
                reserved = 0;
            }
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
