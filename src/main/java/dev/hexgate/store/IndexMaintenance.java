package dev.hexgate.store;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import org.jboss.logging.Logger;

import dev.hexgate.config.HexgateConfig;
import io.quarkus.runtime.StartupEvent;
import io.quarkus.scheduler.Scheduled;
import io.smallrye.mutiny.Uni;

/**
 * Runs {@link IndexRepair}: the one-time backfill after start; then, every {@code HEXGATE_INDEX_REPAIR_EVERY} (default a
 * minute), the retry queue and one batch of the background check.
 */
@ApplicationScoped
public class IndexMaintenance {

    private static final Logger LOG = Logger.getLogger(IndexMaintenance.class);

    private final ConnectionStore store;
    private final IndexRepair repair;
    private final HexgateConfig config;

    public IndexMaintenance(ConnectionStore store, IndexRepair repair, HexgateConfig config) {
        this.store = store;
        this.repair = repair;
        this.config = config;
    }

    void onStart(@Observes StartupEvent event) {
        // In the background: a large store from before the indexes must not delay the start.
        repair.backfill(store).subscribe().with(count -> {
        }, failure -> LOG.warnf("Indexing connections stored before listing was indexed failed (tried again at the next "
                + "start; until then they are missing from GET /connections): %s", StoreException.describe(failure)));
    }

    @Scheduled(identity = "index-repair", every = "{hexgate.index-repair.every}", delayed = "30s", executionMaxDelay = "30s", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    Uni<Void> scheduled() {
        Uni<Integer> queued = repair.pending() == 0 ? Uni.createFrom().item(0)
                : repair.repair(store).invoke(count -> LOG.infof("Index entries of %d connections written again", count));
        return queued.flatMap(done -> repair.sweep(store, config.indexRepair().batch()))
                .invoke(fixed -> {
                    if (fixed > 0) {
                        LOG.infof("Index check fixed %d entries left by interrupted writes", fixed);
                    }
                })
                .onFailure()
                .invoke(failure -> LOG.warnf("Index repair failed (tried again next run): %s",
                        StoreException.describe(failure)))
                .onFailure().recoverWithNull().replaceWithVoid();
    }

}
