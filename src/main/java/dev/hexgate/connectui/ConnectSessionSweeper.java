package dev.hexgate.connectui;

import java.time.Duration;
import java.time.Instant;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import org.jboss.logging.Logger;

import dev.hexgate.store.ConnectionStore;
import dev.hexgate.store.StoreException;
import io.quarkus.runtime.StartupEvent;
import io.smallrye.mutiny.Uni;
import io.vertx.core.Vertx;

/**
 * Removes connect sessions a day after they expired, every hour, so the store does not grow with every link a backend
 * asks for. A day keeps "this link has expired" (rather than "unknown link") for someone who opens an old link late.
 * Every replica sweeps; deleting an expired session twice is harmless.
 */
@ApplicationScoped
public class ConnectSessionSweeper {

    private static final Logger LOG = Logger.getLogger(ConnectSessionSweeper.class);
    static final Duration EVERY = Duration.ofHours(1);
    static final Duration KEPT_AFTER_EXPIRY = Duration.ofDays(1);

    private final ConnectionStore store;

    public ConnectSessionSweeper(ConnectionStore store) {
        this.store = store;
    }

    void schedule(@Observes StartupEvent event, Vertx vertx) {
        vertx.setPeriodic(EVERY.toMillis(), id -> sweep().subscribe().with(
                removed -> {
                    if (removed > 0) {
                        LOG.infof("Removed %d connect sessions that expired over a day ago", removed);
                    }
                },
                failure -> LOG.warnf("Removing expired connect sessions failed (next try in an hour): %s",
                        failure instanceof StoreException ? failure.getMessage() : failure.getClass().getSimpleName())));
    }

    /** One sweep: how many sessions it removed. */
    Uni<Integer> sweep() {
        return store.purgeSessions(Instant.now().minus(KEPT_AFTER_EXPIRY));
    }
}
