package dev.hexgate.store;

import java.time.Duration;
import java.time.InstantSource;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;

import jakarta.inject.Singleton;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Ticker;

import dev.hexgate.config.HexgateConfig;
import dev.hexgate.domain.StoredConnection;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.smallrye.mutiny.Uni;

/**
 * Keeps each connection's token for {@code HEXGATE_TOKEN_CACHE_TTL} so the proxy does not read the store per request.
 * Concurrent misses for one connection share a single store read. While the store fails, a token already held is used for
 * up to {@code HEXGATE_TOKEN_CACHE_STALE_IF_ERROR} past its TTL; local writes and deletes take effect at once.
 * <p>
 * Bounded ({@code HEXGATE_TOKEN_CACHE_MAX_SIZE}) and expiring on Caffeine: an entry lives TTL + stale-if-error, after which
 * it could never be used. An id the store does not know is remembered for {@link #NEGATIVE_TTL} (at most the TTL), so a
 * caller polling a deleted connection costs one store read per interval, not one per request.
 */
@Singleton
public class TokenCache {

    /** How long "no such connection" is believed; short, because another replica may link that id at any moment. */
    static final Duration NEGATIVE_TTL = Duration.ofSeconds(2);
    /** A 401 from Hex for a token this old drops it: it was probably replaced on another replica since. */
    static final Duration REJECTED_MIN_AGE = Duration.ofSeconds(5);
    private static final long MAX_UNKNOWN = 10_000;

    private record Entry(StoredConnection connection, long loadedAt) {
    }

    private final ConnectionStore store;
    private final InstantSource clock;
    private final long ttlMillis;
    private final long staleMillis;
    private final long negativeMillis;
    private final Cache<String, Entry> entries;
    /** Ids the store did not know; the value is unused. */
    private final Cache<String, Boolean> unknown;
    private final ConcurrentHashMap<String, CompletableFuture<Optional<StoredConnection>>> loading = new ConcurrentHashMap<>();

    private final Counter hits;
    private final Counter misses;
    private final Counter stale;
    private final Counter rejected;

    public TokenCache(ConnectionStore store, HexgateConfig config, MeterRegistry registry, InstantSource clock) {
        this.store = store;
        this.clock = clock;
        this.hits = counter(registry, "hit");
        this.misses = counter(registry, "miss");
        this.stale = counter(registry, "stale");
        this.rejected = Counter.builder("hexgate.token.cache.rejected")
                .description("Cached tokens dropped because Hex answered 401 to them").register(registry);
        this.ttlMillis = config.tokenCache().ttl().toMillis();
        this.staleMillis = ttlMillis + config.tokenCache().staleIfError().toMillis();
        this.negativeMillis = Math.min(NEGATIVE_TTL.toMillis(), ttlMillis);
        // Caffeine reads the same clock as the age checks, so tests that move the clock move expiry with it.
        Ticker ticker = () -> clock.millis() * 1_000_000L;
        this.entries = Caffeine.newBuilder().ticker(ticker).maximumSize(config.tokenCache().maxSize())
                .expireAfterWrite(Duration.ofMillis(staleMillis)).build();
        this.unknown = Caffeine.newBuilder().ticker(ticker).maximumSize(MAX_UNKNOWN)
                .expireAfterWrite(Duration.ofMillis(Math.max(1, negativeMillis))).build();
        Gauge.builder("hexgate.token.cache.size", entries, Cache::estimatedSize)
                .description("Connections whose token this replica holds").register(registry);
    }

    /** The cached connection if it is younger than the TTL, else null: a hit (the common case) needs no Uni and no hop. */
    public StoredConnection freshOrNull(String connectionId) {
        Entry entry = entries.getIfPresent(connectionId);
        if (entry != null && clock.millis() - entry.loadedAt() < ttlMillis) {
            hits.increment();
            return entry.connection();
        }
        return null;
    }

    public Uni<Optional<StoredConnection>> get(String connectionId) {
        Entry entry = entries.getIfPresent(connectionId);
        long now = clock.millis();
        if (entry != null && now - entry.loadedAt() < ttlMillis) {
            hits.increment();
            return Uni.createFrom().item(Optional.of(entry.connection()));
        }
        if (entry == null && unknown.getIfPresent(connectionId) != null) {
            // Answered from the cache, so a hit: the contract fixes result = hit|miss|stale.
            hits.increment();
            return Uni.createFrom().item(Optional.empty());
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

    /** How many connections this replica holds a still usable token for (fresh, or within stale-if-error). */
    public long size() {
        entries.cleanUp();
        return entries.estimatedSize();
    }

    private static Counter counter(MeterRegistry registry, String result) {
        return Counter.builder("hexgate.token.cache.requests").description("Token lookups by the proxy")
                .tag("result", result).register(registry);
    }

    /** A write on this replica: the new token is used from now on. */
    public void put(StoredConnection connection) {
        loading.remove(connection.connectionId());
        unknown.invalidate(connection.connectionId());
        entries.put(connection.connectionId(), new Entry(connection, clock.millis()));
    }

    /** A delete on this replica: the token is not used again. */
    public void invalidate(String connectionId) {
        loading.remove(connectionId);
        entries.invalidate(connectionId);
    }

    /**
     * Hex answered 401 to {@code used}: if that is still the cached token and it was loaded more than
     * {@link #REJECTED_MIN_AGE} ago, drop it, so the next request reads the store (where another replica may have put a
     * new token). A token read moments ago stays: re-reading it per request would only load the store.
     */
    public void rejectedByHex(StoredConnection used) {
        String id = used.connectionId();
        Entry entry = entries.getIfPresent(id);
        if (entry != null && entry.connection() == used && clock.millis() - entry.loadedAt() >= REJECTED_MIN_AGE.toMillis()
                && entries.asMap().remove(id, entry)) {
            rejected.increment();
        }
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
                    unknown.invalidate(connectionId);
                    entries.put(connectionId, new Entry(found.get(), clock.millis()));
                } else {
                    entries.invalidate(connectionId);
                    unknown.put(connectionId, Boolean.TRUE);
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
