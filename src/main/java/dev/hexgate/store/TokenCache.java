package dev.hexgate.store;

import java.time.InstantSource;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;

import jakarta.enterprise.context.ApplicationScoped;

import dev.hexgate.config.HexgateConfig;
import dev.hexgate.domain.StoredConnection;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.smallrye.mutiny.Uni;

/**
 * Keeps each connection's token for {@code HEXGATE_TOKEN_CACHE_TTL} so the proxy does not read the store per request.
 * Concurrent misses for one connection share a single store read. While the store fails, a token already held is used for
 * up to {@code HEXGATE_TOKEN_CACHE_STALE_IF_ERROR} past its TTL; local writes and deletes take effect at once.
 */
@ApplicationScoped
public class TokenCache {

    private record Entry(StoredConnection connection, long loadedAt) {
    }

    private final ConnectionStore store;
    private final InstantSource clock;
    private final long ttlMillis;
    private final long staleMillis;
    private final ConcurrentHashMap<String, Entry> entries = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, CompletableFuture<Optional<StoredConnection>>> loading = new ConcurrentHashMap<>();

    private final Counter hits;
    private final Counter misses;
    private final Counter stale;

    public TokenCache(ConnectionStore store, HexgateConfig config, MeterRegistry registry, InstantSource clock) {
        this.store = store;
        this.clock = clock;
        this.hits = counter(registry, "hit");
        this.misses = counter(registry, "miss");
        this.stale = counter(registry, "stale");
        this.ttlMillis = config.tokenCache().ttl().toMillis();
        this.staleMillis = ttlMillis + config.tokenCache().staleIfError().toMillis();
    }

    /** The cached connection if it is younger than the TTL, else null: a hit (the common case) needs no Uni and no hop. */
    public StoredConnection freshOrNull(String connectionId) {
        Entry entry = entries.get(connectionId);
        if (entry != null && clock.millis() - entry.loadedAt() < ttlMillis) {
            hits.increment();
            return entry.connection();
        }
        return null;
    }

    public Uni<Optional<StoredConnection>> get(String connectionId) {
        Entry entry = entries.get(connectionId);
        if (entry != null && clock.millis() - entry.loadedAt() < ttlMillis) {
            hits.increment();
            return Uni.createFrom().item(Optional.of(entry.connection()));
        }
        misses.increment();
        return Uni.createFrom().completionStage(() -> load(connectionId))
                .onFailure(StoreException.class).recoverWithUni(failure -> {
                    if (entry != null && clock.millis() - entry.loadedAt() < staleMillis) {
                        stale.increment();
                        return Uni.createFrom().item(Optional.of(entry.connection()));
                    }
                    return Uni.createFrom().failure(failure);
                });
    }

    /** How many connections this replica holds a token for (fresh or not). */
    public int size() {
        return entries.size();
    }

    private static Counter counter(MeterRegistry registry, String result) {
        return Counter.builder("hexgate.token.cache.requests").description("Token lookups by the proxy")
                .tag("result", result).register(registry);
    }

    /** A write on this replica: the new token is used from now on. */
    public void put(StoredConnection connection) {
        loading.remove(connection.connectionId());
        entries.put(connection.connectionId(), new Entry(connection, clock.millis()));
    }

    /** A delete on this replica: the token is not used again. */
    public void invalidate(String connectionId) {
        loading.remove(connectionId);
        entries.remove(connectionId);
    }

    private CompletableFuture<Optional<StoredConnection>> load(String connectionId) {
        CompletableFuture<Optional<StoredConnection>> mine = new CompletableFuture<>();
        CompletableFuture<Optional<StoredConnection>> running = loading.putIfAbsent(connectionId, mine);
        if (running != null) {
            return running;
        }
        store.find(connectionId).subscribe().with(found -> {
            // Only the load still registered may fill the cache: a local write or delete during the read wins.
            if (loading.remove(connectionId, mine)) {
                if (found.isPresent()) {
                    entries.put(connectionId, new Entry(found.get(), clock.millis()));
                } else {
                    entries.remove(connectionId);
                }
            }
            mine.complete(found);
        }, failure -> {
            loading.remove(connectionId, mine);
            mine.completeExceptionally(failure);
        });
        return mine;
    }
}
