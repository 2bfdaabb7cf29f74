package dev.hexgate.store;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Collectors;

import jakarta.enterprise.context.ApplicationScoped;

import org.jboss.logging.Logger;

import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;

/**
 * Keeps the indexes of {@link ConnectionStore} whole. Connections whose index write failed after their record was written
 * are queued here and written again by {@link IndexMaintenance}; a store that predates the indexes (marker
 * {@code migrations/index-v1} absent) gets every connection indexed once, at start; and a bounded {@link #sweep} finds
 * what a crash left behind. All are idempotent, so several replicas doing them at once is harmless.
 */
@ApplicationScoped
public class IndexRepair {

    private static final Logger LOG = Logger.getLogger(IndexRepair.class);
    static final String MARKER = "migrations/index-v1";
    private static final int PAGE = 100;

    private final Set<String> pending = ConcurrentHashMap.newKeySet();
    private volatile String recordsAfter;
    private volatile String entriesAfter;

    void enqueue(String connectionId) {
        pending.add(connectionId);
    }

    public int pending() {
        return pending.size();
    }

    /** Writes the index entries of every queued connection again; a connection that fails again stays queued. */
    Uni<Integer> repair(ConnectionStore store) {
        List<String> now = new ArrayList<>(pending);
        return Multi.createFrom().iterable(now)
                .onItem().transformToUniAndConcatenate(id -> store.reindex(id).invoke(() -> pending.remove(id)).replaceWith(1))
                .collect().with(Collectors.summingInt(Integer::intValue));
    }

    /**
     * One bounded step of the background check, continuing where the last one stopped: {@code batch} connections get
     * their entries written again where one is missing or stale (a crash between a record write and its index writes),
     * and {@code batch} creation-index entries are removed where their connection is gone (a crash after a record was
     * deleted). Answers how many it fixed. A whole pass over N connections takes N / batch runs.
     */
    Uni<Integer> sweep(ConnectionStore store, int batch) {
        return store.connectionIds(recordsAfter, batch).flatMap(ids -> {
            recordsAfter = ids.size() < batch ? null : ids.get(ids.size() - 1);
            return count(Multi.createFrom().iterable(ids).onItem().transformToUniAndConcatenate(store::repairEntries));
        }).flatMap(repaired -> store.createdEntries(entriesAfter, batch).flatMap(keys -> {
            entriesAfter = keys.size() < batch ? null : keys.get(keys.size() - 1);
            return count(Multi.createFrom().iterable(keys).onItem().transformToUniAndConcatenate(store::removeIfDangling));
        }).map(removed -> repaired + removed));
    }

    private static Uni<Integer> count(Multi<Boolean> fixes) {
        return fixes.collect().with(Collectors.summingInt(fixed -> fixed ? 1 : 0));
    }

    /** Indexes every connection once if this store has never been indexed; answers how many were. */
    Uni<Integer> backfill(ConnectionStore store) {
        Records records = store.records();
        return records.read(MARKER).flatMap(marker -> marker.isPresent() ? Uni.createFrom().item(0)
                : backfillAfter(store, null, 0).call(count -> records.put(MARKER, Map.of("indexed", Integer.toString(count)))
                        .invoke(() -> {
                            if (count > 0) {
                                LOG.infof("Indexed %d connections stored before listing was indexed", count);
                            }
                        })));
    }

    private Uni<Integer> backfillAfter(ConnectionStore store, String after, int done) {
        return store.connectionIds(after, PAGE).flatMap(ids -> {
            Uni<Integer> these = Multi.createFrom().iterable(ids)
                    .onItem().transformToUniAndConcatenate(store::reindex)
                    .collect().last().replaceWith(done + ids.size());
            return ids.isEmpty() ? Uni.createFrom().item(done)
                    : these.flatMap(count -> ids.size() < PAGE ? Uni.createFrom().item(count)
                            : backfillAfter(store, ids.get(ids.size() - 1), count));
        });
    }
}
