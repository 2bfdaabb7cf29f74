package dev.hexgate.proxy;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

import jakarta.enterprise.context.ApplicationScoped;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.vertx.core.http.HttpMethod;

/**
 * {@code hexgate_proxy_requests} (timer: method, status class, outcome) and {@code hexgate_proxy_retries} (reason).
 * Tags come from small fixed sets only: no connection id, path, token or key ever becomes a tag.
 */
@ApplicationScoped
public class ProxyMetrics {

    private static final Set<String> METHODS = Set.of("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS");

    private final MeterRegistry registry;
    private final ConcurrentHashMap<String, Timer> timers = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, Counter> retries = new ConcurrentHashMap<>();

    public ProxyMetrics(MeterRegistry registry) {
        this.registry = registry;
    }

    /** One request finished: answered by Hex ({@code outcome=proxied}) or refused by the gateway (its error code). */
    public void proxied(HttpMethod method, int status, String outcome, long nanos) {
        String m = METHODS.contains(method.name()) ? method.name() : "OTHER";
        String statusClass = (status / 100) + "xx";
        timers.computeIfAbsent(m + statusClass + outcome, k -> Timer.builder("hexgate.proxy.requests")
                .description("Proxied requests, until the response head")
                .tag("method", m).tag("status", statusClass).tag("outcome", outcome)
                .register(registry)).record(nanos, TimeUnit.NANOSECONDS);
    }

    /** A retry was scheduled; {@code reason} is the status that caused it, {@code connect} or {@code reset}. */
    public void retried(String reason) {
        retries.computeIfAbsent(reason, r -> Counter.builder("hexgate.proxy.retries").description("Upstream retries")
                .tag("reason", r).register(registry)).increment();
    }
}
