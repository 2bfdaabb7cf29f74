package dev.hexgate.proxy;

import java.time.Duration;
import java.time.InstantSource;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;

import jakarta.enterprise.context.ApplicationScoped;

import dev.hexgate.config.HexgateConfig;
import dev.hexgate.error.ErrorCode;
import dev.hexgate.error.ErrorDetail;
import dev.hexgate.error.GatewayException;
import dev.hexgate.support.RetryAfter;
import io.vertx.core.http.HttpMethod;

/**
 * When a proxied request is tried again (docs/contract.md §6). A 429 means Hex did not process the request, so any method
 * may be retried after {@code Retry-After}; connect failures and 502/503/504 only for idempotent methods, never POST or
 * PATCH (a RunProject must not run twice); never 401/403; never after a response timeout. Without {@code Retry-After} the
 * wait is exponential backoff with full jitter, and all waits together stay within {@code HEXGATE_PROXY_MAX_RETRY_WAIT}.
 */
@ApplicationScoped
public class RetryPolicy {

    private static final Set<HttpMethod> IDEMPOTENT = Set.of(HttpMethod.GET, HttpMethod.HEAD, HttpMethod.OPTIONS,
            HttpMethod.PUT, HttpMethod.DELETE);
    private static final Set<Integer> IDEMPOTENT_STATUSES = Set.of(502, 503, 504);
    private static final Set<Integer> NEVER = Set.of(401, 403);
    private static final Duration BASE = Duration.ofMillis(250);
    private static final Duration CAP = Duration.ofSeconds(8);

    private final InstantSource clock;
    private final int defaultRetries;
    private final int maxRetries;
    private final Duration maxWait;

    public RetryPolicy(HexgateConfig config, InstantSource clock) {
        this.defaultRetries = config.proxy().retries();
        this.maxRetries = config.proxy().maxRetries();
        this.maxWait = config.proxy().maxRetryWait();
        this.clock = clock;
    }

    /** What one request may do: how many retries, on which extra statuses, for which method. */
    public record Plan(int retries, Set<Integer> extraStatuses, boolean idempotent) {
        public Plan withoutRetries() {
            return new Plan(0, extraStatuses, idempotent);
        }
    }

    /** Reads {@code Retries} and {@code Retry-On}; both were already checked for shape by {@link ProxyRequestCheck}. */
    public Plan plan(HttpMethod method, String retriesHeader, String retryOnHeader) {
        int asked = retriesHeader == null || retriesHeader.isBlank() ? defaultRetries : Integer.parseInt(retriesHeader.trim());
        Set<Integer> extra = new HashSet<>();
        if (retryOnHeader != null && !retryOnHeader.isBlank()) {
            for (String code : retryOnHeader.split(",")) {
                extra.add(Integer.parseInt(code.trim()));
            }
        }
        return new Plan(Math.min(asked, maxRetries), extra, IDEMPOTENT.contains(method));
    }

    /** Refuses a malformed {@code Retry-On} ({@code ^\d+(,\d+)*$}). */
    static void checkRetryOn(String retryOn) {
        if (retryOn != null && !retryOn.isEmpty() && !retryOn.matches("\\d{3}(,\\d{3})*")) {
            String message = "Retry-On must be a comma-separated list of HTTP status codes.";
            throw new GatewayException(ErrorCode.INVALID_HEADERS, message, List.of(ErrorDetail.of("retry-on", message)));
        }
    }

    /**
     * After Hex answered {@code status} on attempt {@code attempt} (0 = first): how long to wait before the next try, or
     * empty to pass the answer on. {@code waited} is the time already spent waiting for this request.
     */
    public Optional<Duration> afterStatus(Plan plan, int attempt, int status, String retryAfter, Duration waited) {
        if (attempt >= plan.retries() || NEVER.contains(status)) {
            return Optional.empty();
        }
        boolean retriable = status == 429
                || (plan.idempotent() && (IDEMPOTENT_STATUSES.contains(status) || plan.extraStatuses().contains(status)));
        if (!retriable) {
            return Optional.empty();
        }
        Duration left = maxWait.minus(waited);
        Optional<Duration> asked = RetryAfter.parse(retryAfter, clock.instant());
        if (asked.isPresent()) {
            // A Retry-After longer than what is left: the caller gets Hex's answer now, with its headers.
            return asked.get().compareTo(left) <= 0 ? asked : Optional.empty();
        }
        return Optional.of(backoff(attempt, left));
    }

    /** After the connection failed before any answer: only idempotent requests are tried again. */
    public Optional<Duration> afterConnectionFailure(Plan plan, int attempt, Duration waited) {
        if (attempt >= plan.retries() || !plan.idempotent()) {
            return Optional.empty();
        }
        return Optional.of(backoff(attempt, maxWait.minus(waited)));
    }

    /** Full jitter: a uniform wait between 0 and min(cap, base × 2^attempt), never more than what is left. */
    static Duration backoff(int attempt, Duration left) {
        long ceiling = Math.min(CAP.toMillis(), BASE.toMillis() << Math.min(attempt, 20));
        long wait = ThreadLocalRandom.current().nextLong(ceiling + 1);
        return Duration.ofMillis(Math.max(0, Math.min(wait, left.toMillis())));
    }
}
