package dev.hexgate.store;

import java.util.List;
import java.util.Map;
import java.util.Optional;

import io.smallrye.mutiny.Uni;

/**
 * The little the connection store needs from where it keeps things: string maps under slash-separated keys, versions for
 * compare-and-set, and folders listed in key order a page at a time. Vault KV v2 and the encrypted file store implement
 * it; {@link ConnectionStore} builds connections, indexes and sessions on it once. Not-found is an empty result; any
 * other failure is a {@link StoreException}.
 */
interface Records {

    Uni<Optional<Versioned<Map<String, String>>>> read(String key);

    /**
     * Writes {@code value} only if the key is still at {@code expectedVersion} ({@link Versioned#ABSENT}: does not exist);
     * false when another write came first. With {@code secret}, no earlier version stays readable afterwards.
     */
    Uni<Boolean> write(String key, Map<String, String> value, int expectedVersion, boolean secret);

    /** Writes without a version check (index entries: the last writer's copy is as good as any). */
    Uni<Void> put(String key, Map<String, String> value);

    /** Removes a key with every version it had; false when there was none. */
    Uni<Boolean> delete(String key);

    /** The key's current version ({@link Versioned#ABSENT} when it does not exist), without reading its value. */
    Uni<Integer> version(String key);

    /**
     * The direct children of {@code folder} (ending in {@code /}) that sort after {@code after} (null: from the start), at
     * most {@code limit}, in key order; a sub-folder is named with a trailing {@code /}. An empty or missing folder is empty.
     */
    Uni<List<String>> list(String folder, String after, int limit);

    /** Succeeds when the store can be read now. */
    Uni<Void> check();

    String kind();
}
