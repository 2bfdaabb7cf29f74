package dev.hexgate.connection;

import java.time.Duration;
import java.time.InstantSource;
import java.util.Locale;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;

import jakarta.enterprise.context.ApplicationScoped;

import org.jboss.logging.Logger;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;

import dev.hexgate.config.HexgateConfig;
import dev.hexgate.domain.StoredConnection;
import dev.hexgate.error.Redaction;
import dev.hexgate.hex.TokenVerifier;
import dev.hexgate.hex.TokenVerifier.Health;
import dev.hexgate.store.ConnectionStore;
import dev.hexgate.store.StoreException;
import dev.hexgate.store.TokenCheckRounds;
import dev.hexgate.store.Versioned;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.scheduler.Scheduled;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;

/**
 * Finds Hex tokens that have died (docs/contract.md §10): every connection's token is re-checked with
 * {@code GET /api/v1/users/me} once per {@code HEXGATE_TOKEN_CHECK_INTERVAL}, and at once when a proxied request gets a
 * 401 from Hex. The replicas share one walk over the connections ({@link TokenCheckRounds}), so each is checked by one
 * replica per round; each replica makes at most {@code HEXGATE_TOKEN_CHECK_RATE} checks a minute, spread evenly. What a
 * check finds goes to {@link ConnectionService#recordTokenCheck}, which changes the connection and sends a webhook
 * only when its state changes.
 */
@ApplicationScoped
public class TokenHealth {

    private static final Logger LOG = Logger.getLogger(TokenHealth.class);
    /** A connection whose proxied request got a 401 is checked at most once in this long. */
    private static final Duration SUSPECT_AGAIN = Duration.ofMinutes(1);
    /**
     * Each move of the shared cursor takes this many minutes' worth of checks: a move costs a LIST of the connections
     * folder, which OpenBao answers by reading the whole folder (about a second per 100,000 keys), so it is made rarely.
     * Ids a replica took and did not check before it stopped wait for the next round.
     */
    private static final int TAKE_MINUTES = 10;

    private final ConnectionStore store;
    private final TokenVerifier verifier;
    private final ConnectionService connections;
    private final TokenCheckRounds rounds;
    private final InstantSource clock;
    private final Duration interval;
    private final int rate;
    private final Queue<String> due = new ConcurrentLinkedQueue<>();
    private final Cache<String, Boolean> suspected;
    private final Map<Health, Counter> results = new ConcurrentHashMap<>();
    private final MeterRegistry registry;
    /** Checks this replica may make now: grows by rate/60 a second, up to ten seconds' worth. */
    private double budget;

    public TokenHealth(ConnectionStore store, TokenVerifier verifier, ConnectionService connections, TokenCheckRounds rounds,
            HexgateConfig config, InstantSource clock, MeterRegistry registry) {
        this.store = store;
        this.verifier = verifier;
        this.connections = connections;
        this.rounds = rounds;
        this.clock = clock;
        this.registry = registry;
        this.interval = config.tokenCheck().interval();
        this.rate = config.tokenCheck().rate();
        this.suspected = Caffeine.newBuilder().expireAfterWrite(SUSPECT_AGAIN).maximumSize(100_000).build();
        for (Health health : Health.values()) {
            results.put(health, Counter.builder("hexgate.token.checks").tag("result", health.name().toLowerCase(Locale.ROOT))
                    .description("Re-checks of stored Hex tokens, by what Hex said").register(registry));
        }
    }

    /**
     * The pacing clock, not the interval: every second the budget grows by rate/60 and due checks are made while it
     * lasts, so checks are spread evenly. {@code HEXGATE_TOKEN_CHECK_INTERVAL=0} makes it return at once.
     */
    @Scheduled(identity = "token-check", every = "1s", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    Uni<Void> tick() {
        if (interval.isZero()) {
            return Uni.createFrom().voidItem();
        }
        budget = Math.min(budget + rate / 60.0, Math.max(1, rate / 6.0));
        if (budget < 1) {
            return Uni.createFrom().voidItem();
        }
        Uni<Void> refill = !due.isEmpty() ? Uni.createFrom().voidItem()
                : rounds.take(TAKE_MINUTES * rate, clock.instant(), interval).invoke(due::addAll).replaceWithVoid();
        return refill.flatMap(ignored -> {
            int now = (int) Math.min(budget, due.size());
            budget -= now;
            return Multi.createFrom().range(0, now).map(i -> due.poll())
                    .onItem().transformToUniAndConcatenate(this::check).collect().last().replaceWithVoid();
        }).onFailure().invoke(e -> LOG.debugf("Token checks skipped this time: %s", StoreException.describe(e)))
                .onFailure().recoverWithNull();
    }

    /** A proxied request on this connection got a 401 from Hex: its token is checked now, at most once a minute. */
    public void suspect(String connectionId) {
        if (suspected.asMap().putIfAbsent(connectionId, Boolean.TRUE) == null) {
            check(connectionId).subscribe().with(done -> {
            }, e -> LOG.debugf("Token check of %s after a 401 failed: %s", Redaction.connectionRef(connectionId),
                    StoreException.describe(e)));
        }
    }

    /** Checks one connection's token and records what Hex said; a connection gone meanwhile is skipped. */
    Uni<Void> check(String connectionId) {
        return store.read(connectionId).flatMap(found -> {
            if (found.isEmpty()) {
                return Uni.createFrom().voidItem();
            }
            Versioned<StoredConnection> checked = found.get();
            return verifier.health(checked.value().connection().subdomain(), checked.value().token()).flatMap(health -> {
                results.get(health).increment();
                return switch (health) {
                    case ALIVE -> connections.recordTokenCheck(checked, true);
                    case DEAD -> connections.recordTokenCheck(checked, false).invoke(() -> LOG.warnf(
                            "Hex refuses the token of connection %s (401): marked token_invalid; its owner must reconnect",
                            Redaction.connectionRef(connectionId)));
                    case UNKNOWN -> Uni.createFrom().voidItem();
                };
            });
        });
    }
}
