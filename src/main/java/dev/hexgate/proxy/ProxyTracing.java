package dev.hexgate.proxy;

import java.util.Map;
import java.util.function.BiConsumer;

import jakarta.annotation.Priority;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Singleton;

import org.jboss.logging.Logger;

import io.opentelemetry.api.OpenTelemetry;
import io.quarkus.opentelemetry.runtime.QuarkusContextStorage;
import io.quarkus.opentelemetry.runtime.tracing.instrumentation.vertx.OpenTelemetryVertxTracingFactory;
import io.quarkus.runtime.StartupEvent;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.impl.VertxInternal;
import io.vertx.core.spi.observability.HttpRequest;
import io.vertx.core.spi.tracing.SpanKind;
import io.vertx.core.spi.tracing.TagExtractor;
import io.vertx.core.spi.tracing.VertxTracer;
import io.vertx.core.tracing.TracingPolicy;

/**
 * The proxy hop's trace: a server span per {@code /proxy} request and a client span per attempt to Hex, with the same
 * parentage, sampling and {@code traceparent} as Quarkus's Vert.x HTTP tracing, but without its per-request work: that
 * instrumentation extracts a dozen attributes (two URI parses, forwarded-host parsing, peer addresses) for every request
 * before the sampler decides, and under the default sampler (record nothing) all of it is thrown away — about 4 µs of CPU
 * per proxied request, an eighth of the hop (docs/benchmarks.md, issue 18). {@link HopSpans} makes the ids first and adds
 * attributes only to a span that records.
 * <p>
 * It sits in front of Quarkus's tracer on Vert.x's one tracer slot: {@code /proxy} server requests and client requests
 * marked {@link #HOP} are traced here, everything else (the backend API, the token check, Vault) is passed on unchanged.
 * The server span is made current on the request's Vert.x context, as Quarkus does, so log lines carry its trace id and a
 * Vault call made while resolving the connection is its child.
 */
@Singleton
class ProxyTracing implements VertxTracer<Object, Object> {

    /** The trace operation {@link ReverseProxy} gives each request to Hex. */
    static final String HOP = "hexgate.proxy.hop";

    private static final Logger LOG = Logger.getLogger(ProxyTracing.class);

    private final Vertx vertx;
    private final HopSpans spans;
    /** Quarkus's tracer: written once at start-up, before the server opens; read on the event loops. */
    private volatile VertxTracer<Object, Object> next;

    ProxyTracing(Vertx vertx, OpenTelemetry telemetry) {
        this.vertx = vertx;
        this.spans = new HopSpans(telemetry);
    }

    /** Takes Quarkus's place on Vert.x's tracer slot, passing it what is not the proxy's, before the server opens. */
    @SuppressWarnings("unchecked")
    void install(@Observes @Priority(1) StartupEvent event) {
        if (((VertxInternal) vertx).tracer() instanceof OpenTelemetryVertxTracingFactory.VertxDelegator slot
                && slot.getDelegate() != null && !(slot.getDelegate() instanceof ProxyTracing)) {
            next = slot.getDelegate();
            slot.setDelegate(this);
        } else {
            // Tracing is off (QUARKUS_OTEL_SDK_DISABLED=true): no tracer runs for any request, so none is needed here.
            LOG.debug("No Vert.x tracer to stand in front of; the proxy hop is not traced");
        }
    }

    @Override
    public <R> Object receiveRequest(Context context, SpanKind kind, TracingPolicy policy, R request, String operation,
            Iterable<Map.Entry<String, String>> headers, TagExtractor<R> tagExtractor) {
        if (request instanceof HttpServerRequest caller && ProxyRoute.isProxyPath(caller.path())) {
            if (policy == TracingPolicy.IGNORE) {
                return null;
            }
            var current = spans.server(caller);
            // Current on the request's own (duplicated) context: the log lines' trace_id, and the parent of what it calls.
            return HopSpans.Traced.serving(current, QuarkusContextStorage.INSTANCE.attach(context, current));
        }
        return next.receiveRequest(context, kind, policy, request, operation, headers, tagExtractor);
    }

    @Override
    public <R> void sendResponse(Context context, R response, Object payload, Throwable failure,
            TagExtractor<R> tagExtractor) {
        if (!endedHere(payload, response, failure)) {
            next.sendResponse(context, response, payload, failure, tagExtractor);
        }
    }

    @Override
    public <R> Object sendRequest(Context context, SpanKind kind, TracingPolicy policy, R request, String operation,
            BiConsumer<String, String> headers, TagExtractor<R> tagExtractor) {
        if (HOP.equals(operation) && request instanceof HttpRequest hop) {
            return policy == TracingPolicy.IGNORE ? null
                    : spans.client(QuarkusContextStorage.getOtelContext(context), hop, headers);
        }
        return next.sendRequest(context, kind, policy, request, operation, headers, tagExtractor);
    }

    @Override
    public <R> void receiveResponse(Context context, R response, Object payload, Throwable failure,
            TagExtractor<R> tagExtractor) {
        if (!endedHere(payload, response, failure)) {
            next.receiveResponse(context, response, payload, failure, tagExtractor);
        }
    }

    /** Ends the span when it is one of the hop's; Quarkus's own are left to it. */
    private static boolean endedHere(Object payload, Object response, Throwable failure) {
        if (payload instanceof HopSpans.Traced traced) {
            traced.end(response, failure);
            return true;
        }
        return false;
    }

    @Override
    public void close() {
        // Quarkus closes its own tracer; this one holds nothing.
    }
}
