package dev.hexgate.store;

import java.time.Duration;

import jakarta.enterprise.context.ApplicationScoped;

import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.HealthCheckResponseBuilder;

import io.smallrye.mutiny.Uni;

/**
 * One bounded check of the connection store for the health endpoints ({@link StoreReadiness}, {@link StoreHealth}).
 * Since when the store has been failing is kept by {@link StoreMetrics}, which every store operation reports to.
 */
@ApplicationScoped
public class StoreProbe {

    static final String NAME = "connection-store";
    private static final Duration TIMEOUT = Duration.ofSeconds(3);

    private final ConnectionStore store;
    private final TokenCache cache;
    private final StoreMetrics metrics;

    public StoreProbe(ConnectionStore store, TokenCache cache, StoreMetrics metrics) {
        this.store = store;
        this.cache = cache;
        this.metrics = metrics;
    }

    /** Null when the store answered within the timeout, else why not. */
    Uni<Throwable> check() {
        return store.check()
                .ifNoItem().after(TIMEOUT).failWith(() -> new StoreException("store check timed out"))
                .map(ok -> (Throwable) null)
                .onFailure().recoverWithItem(e -> e);
    }

    /** Epoch millis of the first failure of the current outage, or -1 while the store answers. */
    long failingSince() {
        return metrics.downSince();
    }

    HealthCheckResponse up() {
        return HealthCheckResponse.named(NAME).up().withData("store", store.kind()).build();
    }

    HealthCheckResponseBuilder failed(boolean status, Throwable failure, long cached) {
        return HealthCheckResponse.named(NAME).status(status)
                .withData("store", store.kind())
                .withData("store_up", false)
                // Still proxied from cache, within HEXGATE_TOKEN_CACHE_STALE_IF_ERROR:
                .withData("cached_connections", cached)
                .withData("reason", StoreException.describe(failure));
    }

    long cached() {
        return cache.size();
    }
}
