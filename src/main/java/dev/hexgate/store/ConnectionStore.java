package dev.hexgate.store;

import java.time.Instant;
import java.util.List;
import java.util.Optional;

import dev.hexgate.domain.ConnectSession;
import dev.hexgate.domain.Connection;
import dev.hexgate.domain.StoredConnection;
import io.smallrye.mutiny.Uni;

/**
 * Where connections and their tokens live. Not-found is an empty result; any other failure is a {@link StoreException},
 * and a failed write leaves the previous state intact.
 */
public interface ConnectionStore {

    Uni<Optional<StoredConnection>> find(String connectionId);

    /** Every connection, without tokens. */
    Uni<List<Connection>> list();

    /** Creates or replaces a connection. */
    Uni<Void> save(StoredConnection connection);

    /** Removes a connection and every trace of its token; false when there was none. */
    Uni<Boolean> delete(String connectionId);

    /** Stores a new connect session under {@code id} (the SHA-256 of its token); fails if one exists. */
    Uni<Void> createSession(String id, ConnectSession session);

    Uni<Optional<SessionRecord>> findSession(String id);

    /**
     * Replaces a session only if it is still at {@code revision}; false when another request (on any replica) changed
     * it first. This is what makes a session single-use.
     */
    Uni<Boolean> replaceSession(String id, ConnectSession session, int revision);

    /** Removes every connect session that expired before {@code expiredBefore}, used or not; answers how many. */
    Uni<Integer> purgeSessions(Instant expiredBefore);

    /** Succeeds when the store can be read now; used by the readiness check. */
    Uni<Void> check();

    /** A short name for logs and health output. */
    String kind();
}
