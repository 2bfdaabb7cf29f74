package dev.hexgate.web;

import java.util.List;

import jakarta.enterprise.context.ApplicationScoped;

import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.context.Context;
import io.opentelemetry.sdk.trace.ReadWriteSpan;
import io.opentelemetry.sdk.trace.ReadableSpan;
import io.opentelemetry.sdk.trace.SpanProcessor;
import io.quarkus.arc.Unremovable;

/**
 * Keeps query strings out of every span: connect-session tokens travel in {@code /connect?session_token=…}, and a caller's
 * query to Hex is its own business. The HTTP instrumentation records URLs when a span starts, so they are rewritten here,
 * before any exporter sees them: {@code url.query} becomes {@value #REDACTED}, and the URL attributes lose their query.
 */
@ApplicationScoped
@Unremovable
public class SpanRedaction implements SpanProcessor {

    static final String REDACTED = "redacted";
    private static final AttributeKey<String> QUERY = AttributeKey.stringKey("url.query");
    /** Current and older HTTP semantic conventions that hold a whole URL or a path with its query. */
    private static final List<AttributeKey<String>> URLS = List.of(AttributeKey.stringKey("url.full"),
            AttributeKey.stringKey("http.url"), AttributeKey.stringKey("http.target"));

    @Override
    public void onStart(Context parentContext, ReadWriteSpan span) {
        if (span.getAttribute(QUERY) != null) {
            span.setAttribute(QUERY, REDACTED);
        }
        for (AttributeKey<String> key : URLS) {
            String url = span.getAttribute(key);
            if (url != null && url.indexOf('?') >= 0) {
                span.setAttribute(key, withoutQuery(url));
            }
        }
    }

    /** The URL with its query, if it has one, replaced by {@value #REDACTED}. */
    public static String withoutQuery(String url) {
        int query = url.indexOf('?');
        return query < 0 ? url : url.substring(0, query) + "?" + REDACTED;
    }

    @Override
    public boolean isStartRequired() {
        return true;
    }

    @Override
    public void onEnd(ReadableSpan span) {
        // Nothing: attributes added at the end (status, sizes) carry no URL.
    }

    @Override
    public boolean isEndRequired() {
        return false;
    }
}
