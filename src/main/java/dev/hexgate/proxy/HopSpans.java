package dev.hexgate.proxy;

import java.util.function.BiConsumer;

import dev.hexgate.web.SpanRedaction;
import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.Scope;
import io.opentelemetry.context.propagation.TextMapGetter;
import io.opentelemetry.context.propagation.TextMapPropagator;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.spi.observability.HttpRequest;
import io.vertx.core.spi.observability.HttpResponse;

/**
 * The spans of {@link ProxyTracing}: ids and parentage first, through the SDK's sampler as any span; the HTTP semantic
 * convention attributes only on a span that records. No query string is recorded.
 */
final class HopSpans {

    static final String ROUTE = CheckControlHeaders.PREFIX + "/{path}";

    private static final AttributeKey<String> METHOD = AttributeKey.stringKey("http.request.method");
    private static final AttributeKey<String> HTTP_ROUTE = AttributeKey.stringKey("http.route");
    private static final AttributeKey<String> PATH = AttributeKey.stringKey("url.path");
    private static final AttributeKey<String> SCHEME = AttributeKey.stringKey("url.scheme");
    private static final AttributeKey<String> URL = AttributeKey.stringKey("url.full");
    private static final AttributeKey<String> PROTOCOL = AttributeKey.stringKey("network.protocol.version");
    private static final AttributeKey<String> PEER = AttributeKey.stringKey("network.peer.address");
    private static final AttributeKey<String> USER_AGENT = AttributeKey.stringKey("user_agent.original");
    private static final AttributeKey<String> SERVER = AttributeKey.stringKey("server.address");
    private static final AttributeKey<Long> SERVER_PORT = AttributeKey.longKey("server.port");
    private static final AttributeKey<Long> STATUS = AttributeKey.longKey("http.response.status_code");
    private static final AttributeKey<String> ERROR = AttributeKey.stringKey("error.type");

    private static final TextMapGetter<HttpServerRequest> HEADERS = new TextMapGetter<>() {
        @Override
        public Iterable<String> keys(HttpServerRequest carrier) {
            return carrier.headers().names();
        }

        @Override
        public String get(HttpServerRequest carrier, String key) {
            return carrier == null ? null : carrier.getHeader(key);
        }
    };

    private final Tracer tracer;
    private final TextMapPropagator propagator;

    HopSpans(OpenTelemetry telemetry) {
        this.tracer = telemetry.getTracer("hexgate.proxy");
        this.propagator = telemetry.getPropagators().getTextMapPropagator();
    }

    /** The caller's request: a child of the trace it names (W3C {@code traceparent}), else a new trace. */
    Context server(HttpServerRequest caller) {
        Context parent = propagator.extract(Context.root(), caller, HEADERS);
        Span span = tracer.spanBuilder(caller.method().name() + " " + ROUTE).setSpanKind(SpanKind.SERVER).setParent(parent)
                .startSpan();
        if (span.isRecording()) {
            span.setAttribute(METHOD, caller.method().name());
            span.setAttribute(HTTP_ROUTE, ROUTE);
            span.setAttribute(PATH, caller.path());
            span.setAttribute(SCHEME, caller.scheme());
            span.setAttribute(PROTOCOL, protocol(caller));
            if (caller.remoteAddress() != null) {
                span.setAttribute(PEER, caller.remoteAddress().hostAddress());
            }
            if (caller.getHeader("User-Agent") != null) {
                span.setAttribute(USER_AGENT, caller.getHeader("User-Agent"));
            }
        }
        return parent.with(span);
    }

    /** One attempt to Hex, a child of the request's span; Hex gets it as the parent of whatever it records. */
    Traced client(Context parent, HttpRequest hop, BiConsumer<String, String> headers) {
        Context within = parent != null ? parent : Context.current();
        Span span = tracer.spanBuilder(hop.method().name()).setSpanKind(SpanKind.CLIENT).setParent(within).startSpan();
        String url = hop.absoluteURI();
        if (span.isRecording() && url != null) {
            span.setAttribute(METHOD, hop.method().name());
            // Set after the span started, so SpanRedaction's start hook cannot see it: the query is left out here.
            span.setAttribute(URL, SpanRedaction.withoutQuery(url));
            serverOf(span, url);
        }
        // Sampled or not: Hex can quote the trace id.
        propagator.inject(within.with(span), headers, BiConsumer::accept);
        return new Traced(span, null, false);
    }

    /**
     * {@code server.address} and {@code server.port} from {@code <scheme>://<host>[:port]/...}. Read by hand: the path is
     * the caller's, passed on byte for byte, and need not be one {@code java.net.URI} accepts.
     */
    private static void serverOf(Span span, String absoluteUri) {
        int from = absoluteUri.indexOf("://");
        if (from < 0) {
            return;
        }
        int end = absoluteUri.indexOf('/', from + 3);
        String authority = absoluteUri.substring(from + 3, end < 0 ? absoluteUri.length() : end);
        int colon = authority.lastIndexOf(':');
        boolean hasPort = colon > 0 && authority.indexOf(']') < colon;
        span.setAttribute(SERVER, hasPort ? authority.substring(0, colon) : authority);
        long port = hasPort ? parsePort(authority.substring(colon + 1)) : absoluteUri.startsWith("https") ? 443 : 80;
        if (port > 0) {
            span.setAttribute(SERVER_PORT, port);
        }
    }

    private static long parsePort(String digits) {
        try {
            return Long.parseLong(digits);
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    private static String protocol(HttpServerRequest caller) {
        return switch (caller.version()) {
            case HTTP_1_0 -> "1.0";
            case HTTP_1_1 -> "1.1";
            case HTTP_2 -> "2";
        };
    }

    /** One span of the hop, ended once with what came of it; a server span also closes its scope on the Vert.x context. */
    record Traced(Span span, Scope scope, boolean server) {

        static Traced serving(Context current, Scope scope) {
            return new Traced(Span.fromContext(current), scope, true);
        }

        void end(Object response, Throwable failure) {
            int status = response instanceof HttpResponse answer ? answer.statusCode() : 0;
            if (span.isRecording()) {
                if (status > 0) {
                    span.setAttribute(STATUS, status);
                }
                // Semantic conventions: a server span fails on 5xx, a client span on any 4xx or 5xx it got back.
                if (failure != null || status >= (server ? 500 : 400)) {
                    span.setStatus(StatusCode.ERROR);
                    span.setAttribute(ERROR, failure != null ? failure.getClass().getName() : String.valueOf(status));
                }
            }
            span.end();
            if (scope != null) {
                scope.close();
            }
        }
    }
}
