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
    private final VaultTokenLifetime vaultToken;

    public StoreProbe(ConnectionStore store, TokenCache cache, StoreMetrics metrics, VaultTokenLifetime vaultToken) {
        this.store = store;
        this.cache = cache;
        this.metrics = metrics;
        this.vaultToken = vaultToken;
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
        return named().up().build();
    }

    HealthCheckResponseBuilder failed(boolean status, Throwable failure, long cached) {
        return named().status(status)
                .withData("store_up", false)
                // Still proxied from cache, within HEXGATE_TOKEN_CACHE_STALE_IF_ERROR:
                .withData("cached_connections", cached)
                .withData("reason", StoreException.describe(failure));
    }

    /** The check's name and store, and what is left of the Vault token when it is known (-1: never expires). */
    private HealthCheckResponseBuilder named() {
        HealthCheckResponseBuilder response = HealthCheckResponse.named(NAME).withData("store", store.kind());
        Long ttl = vaultToken.ttlSeconds();
        return ttl == null ? response : response.withData("vault_token_ttl_seconds", ttl);
    }

    long cached() {
        return cache.size();
    }
}
