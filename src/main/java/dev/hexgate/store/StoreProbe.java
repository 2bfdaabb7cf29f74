package dev.hexgate.store;

import java.time.Duration;
import java.time.InstantSource;
import java.util.concurrent.atomic.AtomicLong;

import jakarta.enterprise.context.ApplicationScoped;

import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.HealthCheckResponseBuilder;

import io.smallrye.mutiny.Uni;

/**
 * One bounded check of the connection store for the health endpoints ({@link StoreReadiness}, {@link StoreHealth}), and
 * since when it has been failing.
 */
@ApplicationScoped
public class StoreProbe {

    static final String NAME = "connection-store";
    private static final Duration TIMEOUT = Duration.ofSeconds(3);

    private final ConnectionStore store;
    private final TokenCache cache;
    private final InstantSource clock;
    /** When the store check started failing, or -1 while it answers. */
    private final AtomicLong failingSince = new AtomicLong(-1);

    public StoreProbe(ConnectionStore store, TokenCache cache, InstantSource clock) {
        this.store = store;
        this.cache = cache;
        this.clock = clock;
    }

    /** Null when the store answered within the timeout, else why not. */
    Uni<Throwable> check() {
        return store.check()
                .ifNoItem().after(TIMEOUT).failWith(() -> new StoreException("store check timed out"))
                .map(ok -> {
                    failingSince.set(-1);
                    return (Throwable) null;
                })
                .onFailure().recoverWithItem(e -> {
                    failingSince.compareAndSet(-1, clock.millis());
                    return e;
                });
    }

    /** Epoch millis of the first failed check of the current outage, or -1. */
    long failingSince() {
        return failingSince.get();
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
