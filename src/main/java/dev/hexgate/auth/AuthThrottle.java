package dev.hexgate.auth;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import jakarta.enterprise.context.ApplicationScoped;

import dev.hexgate.error.GatewayException;

/**
 * Slows down repeated failed authentication from one client address: after {@value #FREE_FAILURES} failures within a
 * minute, each further refusal to that address is answered later (doubling up to {@link #MAX_DELAY}). Other clients,
 * and this client's correctly authenticated calls, are not delayed. Behind a load balancer, configure Quarkus's
 * forwarded-address support ({@code QUARKUS_HTTP_PROXY_*}) so that the address is the client's.
 */
@ApplicationScoped
public class AuthThrottle {

    static final int FREE_FAILURES = 5;
    static final Duration MAX_DELAY = Duration.ofSeconds(5);
    private static final long WINDOW_NANOS = Duration.ofMinutes(1).toNanos();
    private static final int MAX_TRACKED = 100_000;

    private record Failures(long windowStart, int count) {
    }

    private final ConcurrentHashMap<String, Failures> failures = new ConcurrentHashMap<>();

    /** A refusal of failed authentication and how long to hold it back before answering. */
    public record DelayedRefusal(GatewayException refusal, Duration delay) {
    }

    /** Records the failure; a refusal held back says for how long ({@code Retry-After}, seconds). */
    public DelayedRefusal refuse(String address, GatewayException refusal) {
        Duration delay = failed(address);
        return new DelayedRefusal(delay.isZero() ? refusal : withRetryAfter(refusal, delay), delay);
    }

    private static GatewayException withRetryAfter(GatewayException refusal, Duration delay) {
        long seconds = Math.max(1, (delay.toMillis() + 999) / 1000);
        return new GatewayException(refusal.code(), refusal.getMessage(), refusal.errors(),
                Map.of("Retry-After", String.valueOf(seconds)));
    }

    /** Records one failed authentication and returns how long to hold back its refusal. */
    Duration failed(String address) {
        long now = System.nanoTime();
        if (failures.size() > MAX_TRACKED) {
            failures.entrySet().removeIf(e -> now - e.getValue().windowStart() > WINDOW_NANOS);
        }
        Failures updated = failures.merge(address, new Failures(now, 1), (old, one) -> now - old.windowStart() > WINDOW_NANOS
                ? one
                : new Failures(old.windowStart(), old.count() + 1));
        int over = updated.count() - FREE_FAILURES;
        if (over <= 0) {
            return Duration.ZERO;
        }
        long millis = Math.min(MAX_DELAY.toMillis(), 100L << Math.min(over - 1, 10));
        return Duration.ofMillis(millis);
    }
}
