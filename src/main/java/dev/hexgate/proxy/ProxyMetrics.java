package dev.hexgate.proxy;

import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReferenceArray;

import jakarta.inject.Singleton;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.vertx.core.http.HttpMethod;

/**
 * {@code hexgate_proxy_requests} (timer: method, status class, outcome) and {@code hexgate_proxy_retries} (reason).
 * Tags come from small fixed sets only: no connection id, path, token or key ever becomes a tag.
 */
@Singleton
public class ProxyMetrics {

    private static final List<String> METHODS = List.of("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "OTHER");
    private static final int STATUS_CLASSES = 6;

    private final MeterRegistry registry;
    /** Per outcome, one timer per (method, status class), registered on first use: no key is built per request. */
    private final ConcurrentHashMap<String, AtomicReferenceArray<Timer>> timers = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, Counter> retries = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, Counter> uses = new ConcurrentHashMap<>();

    public ProxyMetrics(MeterRegistry registry) {
        this.registry = registry;
    }

    /** One request finished: answered by Hex ({@code outcome=proxied}) or refused by the gateway (its error code). */
    public void proxied(HttpMethod method, int status, String outcome, long nanos) {
        int m = METHODS.indexOf(method.name());
        if (m < 0) {
            m = METHODS.size() - 1;
        }
        int statusClass = status >= 100 && status < 600 ? status / 100 : 0;
        int slot = m * STATUS_CLASSES + statusClass;
        AtomicReferenceArray<Timer> forOutcome = timers.computeIfAbsent(outcome,
                o -> new AtomicReferenceArray<>(METHODS.size() * STATUS_CLASSES));
        Timer timer = forOutcome.get(slot);
        if (timer == null) {
            // Racing threads may both get here: Micrometer hands both the same registered timer.
            timer = Timer.builder("hexgate.proxy.requests")
                    .description("Proxied requests, until the response head")
                    .tag("method", METHODS.get(m)).tag("status", statusClass == 0 ? "other" : statusClass + "xx")
                    .tag("outcome", outcome)
                    .register(registry);
            forOutcome.set(slot, timer);
        }
        timer.record(nanos, TimeUnit.NANOSECONDS);
    }

    /**
     * {@code hexgate_proxy_key_requests}: one authenticated request on {@code /proxy}, by the non-reversible id of the key
     * that made it (the set of configured keys bounds the tag; connection ids never become tags).
     */
    public void used(String keyId) {
        uses.computeIfAbsent(keyId, k -> Counter.builder("hexgate.proxy.key.requests")
                .description("Authenticated proxy requests, by secret key id").tag("key_id", k).register(registry)).increment();
    }

    /** A retry was scheduled; {@code reason} is the status that caused it, {@code connect} or {@code reset}. */
    public void retried(String reason) {
        retries.computeIfAbsent(reason, r -> Counter.builder("hexgate.proxy.retries").description("Upstream retries")
                .tag("reason", r).register(registry)).increment();
    }
}
