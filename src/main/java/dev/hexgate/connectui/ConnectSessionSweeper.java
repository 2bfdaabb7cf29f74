package dev.hexgate.connectui;

import java.time.Duration;
import java.time.InstantSource;

import jakarta.enterprise.context.ApplicationScoped;

import org.jboss.logging.Logger;

import dev.hexgate.store.ConnectionStore;
import dev.hexgate.store.StoreException;
import io.quarkus.scheduler.Scheduled;
import io.smallrye.mutiny.Uni;

/**
 * Removes connect sessions a day after they expired ({@code HEXGATE_CONNECT_SESSION_SWEEP_EVERY}, default hourly; {@code off}
 * switches it off), so the store does not grow with every link a backend asks for. A day keeps "this link has expired"
 * (rather than "unknown link") for someone who opens an old link late. Every replica sweeps, at a jittered time; deleting
 * an expired session twice is harmless.
 */
@ApplicationScoped
public class ConnectSessionSweeper {

    private static final Logger LOG = Logger.getLogger(ConnectSessionSweeper.class);
    static final Duration KEPT_AFTER_EXPIRY = Duration.ofDays(1);

    private final ConnectionStore store;
    private final InstantSource clock;

    public ConnectSessionSweeper(ConnectionStore store, InstantSource clock) {
        this.store = store;
        this.clock = clock;
    }

    @Scheduled(identity = "connect-session-sweep", every = "{hexgate.connect-session.sweep-every}", delayed = "1m", executionMaxDelay = "5m", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    Uni<Void> scheduled() {
        return sweep().invoke(removed -> {
            if (removed > 0) {
                LOG.infof("Removed %d connect sessions that expired over a day ago", removed);
            }
        }).onFailure().invoke(failure -> LOG.warnf("Removing expired connect sessions failed (tried again next run): %s",
                StoreException.describe(failure)))
                .onFailure().recoverWithNull().replaceWithVoid();
    }

    /** One sweep: how many sessions it removed. */
    Uni<Integer> sweep() {
        return store.purgeSessions(clock.instant().minus(KEPT_AFTER_EXPIRY));
    }
}
