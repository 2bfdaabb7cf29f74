package dev.hexgate.ops;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import org.jboss.logging.Logger;

import dev.hexgate.domain.Connection;
import dev.hexgate.store.ConnectionStore;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.StartupEvent;
import io.vertx.core.Vertx;

/**
 * {@code hexgate_connections_expiring}: connections whose Hex token expires within 7 days (from the
 * {@code token_expires_at} Hex gave at link time), recounted every hour, with one warning line per such connection.
 */
@ApplicationScoped
public class ExpiringTokens {

    private static final Logger LOG = Logger.getLogger(ExpiringTokens.class);
    static final Duration HORIZON = Duration.ofDays(7);
    private static final Duration EVERY = Duration.ofHours(1);

    private final ConnectionStore store;
    private final AtomicInteger expiring = new AtomicInteger();

    public ExpiringTokens(ConnectionStore store, MeterRegistry registry) {
        this.store = store;
        Gauge.builder("hexgate.connections.expiring", expiring, AtomicInteger::get)
                .description("Connections whose Hex token expires within 7 days").register(registry);
    }

    void schedule(@Observes StartupEvent event, Vertx vertx) {
        vertx.setTimer(1, id -> recount());
        vertx.setPeriodic(EVERY.toMillis(), id -> recount());
    }

    /** Counts and reports; a store that cannot be read leaves the last count in place (the store logs why). */
    public void recount() {
        store.list().subscribe().with(this::report, failure -> LOG.debugf("Expiry count skipped: %s", failure.getMessage()));
    }

    private void report(List<Connection> connections) {
        Instant limit = Instant.now().plus(HORIZON);
        int count = 0;
        for (Connection c : connections) {
            String expires = c.hex() == null ? null : c.hex().tokenExpiresAt();
            if (expires != null && Instant.parse(expires).isBefore(limit)) {
                count++;
                LOG.warnf("The Hex token of connection %s expires at %s: ask its owner to reconnect", c.connectionId(), expires);
            }
        }
        expiring.set(count);
    }
}
