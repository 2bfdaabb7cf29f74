package dev.hexgate.store;

import java.util.List;
import java.util.Optional;

import dev.hexgate.connection.Connection;
import dev.hexgate.connection.StoredConnection;
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

    /** Succeeds when the store can be read now; used by the readiness check. */
    Uni<Void> check();

    /** A short name for logs and health output. */
    String kind();
}
