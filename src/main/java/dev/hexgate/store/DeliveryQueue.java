package dev.hexgate.store;

import java.util.List;
import java.util.Map;
import java.util.Optional;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import io.smallrye.mutiny.Uni;

/**
 * Pending webhook deliveries, kept in the connection store under {@code webhooks/pending/<id>} so that a delivery
 * survives the replica that queued it. Ids sort by when they were queued, so a listing starts with the oldest. Entries
 * are string maps the webhook package defines (never a Hex token); replaced only with compare-and-set, which is how a
 * replica claims one.
 */
@ApplicationScoped
public class DeliveryQueue {

    static final String PENDING = "webhooks/pending/";

    private final Records records;

    @Inject
    DeliveryQueue(Records records) {
        this.records = records;
    }

    /** Queues a new entry; fails if the id is taken. */
    public Uni<Void> add(String id, Map<String, String> entry) {
        return records.write(PENDING + id, entry, Versioned.ABSENT, false).map(created -> {
            if (!created) {
                throw new StoreException("a pending webhook delivery with this id exists");
            }
            return null;
        });
    }

    /** The first {@code limit} ids after {@code after} (null: from the oldest). */
    public Uni<List<String>> ids(String after, int limit) {
        return records.list(PENDING, after, limit).map(keys -> keys.stream().filter(k -> !k.endsWith("/")).toList());
    }

    public Uni<Optional<Versioned<Map<String, String>>>> read(String id) {
        return records.read(PENDING + id);
    }

    /** Replaces an entry only if it is still at {@code version}; false when another replica changed it first. */
    public Uni<Boolean> replace(String id, Map<String, String> entry, int version) {
        return records.write(PENDING + id, entry, version, false);
    }

    /** Removes an entry (delivered, given up, or never due); false when it was already gone. */
    public Uni<Boolean> remove(String id) {
        return records.delete(PENDING + id);
    }

    /** The current version of a connection's record ({@link Versioned#ABSENT} when there is none), read without its token. */
    public Uni<Integer> connectionVersion(String connectionId) {
        return records.version(ConnectionStore.CONNECTIONS + connectionId);
    }
}
