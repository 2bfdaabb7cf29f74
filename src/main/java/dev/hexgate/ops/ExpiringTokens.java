package dev.hexgate.ops;

import java.time.Duration;
import java.time.InstantSource;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import jakarta.enterprise.context.ApplicationScoped;

import org.jboss.logging.Logger;

import dev.hexgate.domain.Connection;
import dev.hexgate.error.Redaction;
import dev.hexgate.store.ConnectionStore;
import dev.hexgate.store.StoreException;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.scheduler.Scheduled;
import io.smallrye.mutiny.Uni;

/**
 * {@code hexgate_connections_expiring}: connections whose Hex token expires within 7 days (from the
 * {@code token_expires_at} Hex gave at link time), recounted at start and then every {@code HEXGATE_EXPIRING_TOKENS_EVERY}
 * (default hourly; {@code off} switches it off), with one warning line per such connection (the first 20). Read from
 * the store's token-expiry index: only the connections that expire are read.
 */
@ApplicationScoped
public class ExpiringTokens {

    private static final Logger LOG = Logger.getLogger(ExpiringTokens.class);
    static final Duration HORIZON = Duration.ofDays(7);
    /** The gauge counts up to this many; one warning line each for the first {@link #WARNED}. */
    private static final int COUNTED = 100_000;
    private static final int WARNED = 20;

    private final ConnectionStore store;
    private final InstantSource clock;
    private final AtomicInteger expiring = new AtomicInteger();

    public ExpiringTokens(ConnectionStore store, InstantSource clock, MeterRegistry registry) {
        this.store = store;
        this.clock = clock;
        Gauge.builder("hexgate.connections.expiring", expiring, AtomicInteger::get)
                .description("Connections whose Hex token expires within 7 days").register(registry);
    }

    @Scheduled(identity = "expiring-tokens", every = "{hexgate.expiring-tokens.every}", executionMaxDelay = "1m", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    Uni<Void> scheduled() {
        return recount();
    }

    /** Counts and reports; a store that cannot be read leaves the last count in place (the store logs why). */
    public Uni<Void> recount() {
        return store.expiringBefore(clock.instant().plus(HORIZON), COUNTED).invoke(this::report)
                .onFailure().invoke(failure -> LOG.debugf("Expiry count skipped: %s", StoreException.describe(failure)))
                .onFailure().recoverWithNull().replaceWithVoid();
    }

    private void report(List<Connection> connections) {
        for (Connection c : connections.subList(0, Math.min(connections.size(), WARNED))) {
            LOG.warnf("The Hex token of connection %s expires at %s: ask its owner to reconnect",
                    Redaction.connectionRef(c.connectionId()),
                    c.hex().tokenExpiresAt());
        }
        if (connections.size() > WARNED) {
            LOG.warnf("%s more Hex tokens expire within 7 days (GET /connections lists them with token_expires_at)",
                    connections.size() == COUNTED ? "At least " + (COUNTED - WARNED) : connections.size() - WARNED);
        }
        expiring.set(connections.size());
    }
}
