package dev.hexgate.ops;

import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import jakarta.enterprise.context.ApplicationScoped;

import org.jboss.logging.Logger;

import dev.hexgate.domain.Connection;
import dev.hexgate.store.ConnectionStore;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.scheduler.Scheduled;
import io.smallrye.mutiny.Uni;

/**
 * {@code hexgate_connections_expiring}: connections whose Hex token expires within 7 days (from the
 * {@code token_expires_at} Hex gave at link time), recounted at start and then every {@code HEXGATE_EXPIRING_TOKENS_EVERY}
 * (default hourly; {@code off} switches it off), with one warning line per such connection.
 */
@ApplicationScoped
public class ExpiringTokens {

    private static final Logger LOG = Logger.getLogger(ExpiringTokens.class);
    static final Duration HORIZON = Duration.ofDays(7);

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
        return store.list().invoke(this::report)
                .onFailure().invoke(failure -> LOG.debugf("Expiry count skipped: %s", failure.getMessage()))
                .onFailure().recoverWithNull().replaceWithVoid();
    }

    private void report(List<Connection> connections) {
        Instant limit = clock.instant().plus(HORIZON);
        int count = 0;
        for (Connection c : connections) {
            String expires = c.hex() == null ? null : c.hex().tokenExpiresAt();
            if (expires != null && Instant.parse(expires).isBefore(limit)) {
                count++;
                LOG.warnf("The Hex token of connection %s expires at %s: ask its owner to reconnect", c.connectionId(),
                        expires);
            }
        }
        expiring.set(count);
    }
}
