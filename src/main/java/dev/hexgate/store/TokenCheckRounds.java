package dev.hexgate.store;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import io.smallrye.mutiny.Uni;

/**
 * Shares the token re-check among replicas: one cursor, {@code token-checks/cursor}, walks every connection id in order,
 * and each replica takes the next few ids by moving it with compare-and-set. So every connection is checked once per
 * round by exactly one replica, however many there are, and a round starts at most once per interval. The cursor
 * holds ids only, never a token.
 */
@ApplicationScoped
public class TokenCheckRounds {

    static final String CURSOR = "token-checks/cursor";
    private static final String AFTER = "after";
    private static final String STARTED = "round_started";

    private final Records records;

    @Inject
    TokenCheckRounds(Records records) {
        this.records = records;
    }

    /**
     * Up to {@code n} connection ids for this replica to check; empty when the round is over and the next is not due
     * yet, or when another replica moved the cursor at the same moment (the caller simply asks again later).
     */
    public Uni<List<String>> take(int n, Instant now, Duration interval) {
        return records.read(CURSOR).flatMap(found -> {
            Map<String, String> cursor = found.map(Versioned::value).orElse(Map.of());
            int version = found.map(Versioned::version).orElse(Versioned.ABSENT);
            String after = cursor.getOrDefault(AFTER, "");
            String started = cursor.get(STARTED);
            if (after.isEmpty() && started != null && now.isBefore(Instant.parse(started).plus(interval))) {
                return Uni.createFrom().item(List.<String> of());
            }
            String roundStart = after.isEmpty() ? now.toString() : started;
            return records.list(ConnectionStore.CONNECTIONS, after.isEmpty() ? null : after, n).flatMap(keys -> {
                List<String> ids = keys.stream().filter(k -> !k.endsWith("/")).toList();
                String next = keys.size() < n ? "" : keys.get(keys.size() - 1);
                return records.write(CURSOR, Map.of(AFTER, next, STARTED, roundStart), version, false)
                        .map(moved -> moved ? ids : List.<String> of());
            });
        });
    }
}
