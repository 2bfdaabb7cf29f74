package dev.hexgate.store;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Predicate;
import java.util.stream.Collectors;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import org.jboss.logging.Logger;

import dev.hexgate.domain.ConnectSession;
import dev.hexgate.domain.Connection;
import dev.hexgate.domain.StoredConnection;
import dev.hexgate.error.Redaction;
import dev.hexgate.support.Hashes;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;

/**
 * Connections, their indexes and connect sessions on {@link Records} (docs/contract.md §7). The layout, the same in Vault
 * and in files:
 * <ul>
 * <li>{@code connections/<id>}: {@code api_key} and {@code connection} (its JSON) — the only records with a token, written
 * with compare-and-set and kept in one version;</li>
 * <li>{@code index/created/<creation millis>-<id>}, {@code index/end-users/<hash of end user id>/<creation millis>-<id>},
 * {@code index/token-expiry/<day>/<id>}: the connection's JSON without its token and the record version it describes, so
 * listing a page reads that page and never a token;</li>
 * <li>{@code connect-sessions/<sha256 of its token>}: one connect session, replaced with compare-and-set.</li>
 * </ul>
 * The record is the truth. Indexes are written after it and describe one version of it: an entry whose version is not the
 * record's current one (replaced, deleted, or a write that failed half-way) is skipped by readers. An index write that
 * fails after its record was written is queued for {@link IndexRepair}.
 */
@ApplicationScoped
public class ConnectionStore {

    private static final Logger LOG = Logger.getLogger(ConnectionStore.class);
    static final String CONNECTIONS = "connections/";
    static final String SESSIONS = "connect-sessions/";
    static final String CREATED = "index/created/";
    static final String END_USERS = "index/end-users/";
    static final String TOKEN_EXPIRY = "index/token-expiry/";
    static final String TOKEN_FIELD = "api_key";
    static final String CONNECTION_FIELD = "connection";
    private static final String VERSION_FIELD = "version";
    private static final String SESSION_FIELD = "session";
    private static final int PAGE = 100;
    /**
     * Keys skipped per LIST on the way to a deep page. A KV v2 LIST costs the server the whole folder whatever its
     * {@code limit} (it decrypts every key name to sort them: ~5 µs a key on OpenBao 2.7), so skipping takes as few LISTs
     * as memory allows; 100,000 names are a few MB for the length of one call.
     */
    static final int SKIP_PAGE = 100_000;
    private static final int CONCURRENCY = 8;
    private static final DateTimeFormatter DAY = DateTimeFormatter.ofPattern("yyyy-MM-dd").withZone(ZoneOffset.UTC);

    private final Records records;
    private final ConnectionCodec codec;
    private final IndexRepair repair;
    private final int skipPage;

    @Inject
    ConnectionStore(Records records, ConnectionCodec codec, IndexRepair repair) {
        this(records, codec, repair, SKIP_PAGE);
    }

    /** With another number of keys skipped per LIST: tests reach several skipping LISTs with a few connections. */
    ConnectionStore(Records records, ConnectionCodec codec, IndexRepair repair, int skipPage) {
        this.records = records;
        this.codec = codec;
        this.repair = repair;
        this.skipPage = skipPage;
    }

    public Uni<Optional<StoredConnection>> find(String connectionId) {
        return read(connectionId).map(found -> found.map(Versioned::value));
    }

    /** The connection with the version to name when replacing it ({@link Versioned#ABSENT} when there is none). */
    public Uni<Optional<Versioned<StoredConnection>>> read(String connectionId) {
        return records.read(CONNECTIONS + connectionId).map(found -> found.flatMap(record -> {
            Optional<StoredConnection> connection = decode(connectionId, record.value());
            return connection.map(c -> new Versioned<>(c, record.version()));
        }));
    }

    /**
     * Creates or replaces a connection, only if it is still at {@code expectedVersion}; false when another write (on any
     * replica) came first, and then nothing was changed.
     */
    public Uni<Boolean> save(StoredConnection connection, Optional<Versioned<StoredConnection>> previous) {
        int expected = previous.map(Versioned::version).orElse(Versioned.ABSENT);
        Map<String, String> record = Map.of(TOKEN_FIELD, connection.token(), CONNECTION_FIELD,
                codec.write(connection.connection()));
        return records.write(CONNECTIONS + connection.connectionId(), record, expected, true)
                .call(written -> written
                        ? index(connection.connection(), expected + 1)
                                .call(() -> unindexMoved(previous.map(p -> p.value().connection()), connection.connection()))
                        : Uni.createFrom().voidItem());
    }

    /** Removes a connection and every trace of its token; false when there was none. */
    public Uni<Boolean> delete(String connectionId) {
        return read(connectionId).flatMap(found -> records.delete(CONNECTIONS + connectionId)
                .call(existed -> found.isPresent()
                        ? unindex(found.get().value().connection(), Optional.empty()).onFailure().invoke(e -> LOG.debugf(
                                "Index entries of deleted connection %s stay until overwritten (readers skip them): %s",
                                connectionId, e.getMessage())).onFailure().recoverWithNull()
                        : Uni.createFrom().voidItem()));
    }

    /**
     * One page of connections in creation order ({@code offset} entries skipped), all or one end user's; reads the page's
     * index entries and checks each against its record's version, never a token.
     */
    public Uni<List<Connection>> page(Optional<String> endUserId, int limit, long offset) {
        return page(endUserId, Map.of(), limit, offset);
    }

    /**
     * The same, of the connections that also carry every tag of {@code tags} (keys compared without case, as
     * {@code @nangohq/node} lower-cases them; values exactly). There is no tag index: the offset counts matches, so a
     * tagged page reads the index entries from the first one until it has passed {@code offset} matches and kept
     * {@code limit}; memory holds one page whatever the offset.
     */
    public Uni<List<Connection>> page(Optional<String> endUserId, Map<String, String> tags, int limit, long offset) {
        String folder = endUserId.map(ConnectionStore::endUserFolder).orElse(CREATED);
        // The folder is named by a hash of the end user id; the id itself decides.
        Predicate<Connection> filter = endUserId.<Predicate<Connection>> map(id -> c -> c.endUser() != null
                && id.equals(c.endUser().id())).orElse(c -> true);
        if (tags.isEmpty()) {
            return collect(folder, limit, offset, filter);
        }
        // The walk applies the filter once per entry, in order: the first offset matches are counted, not kept.
        long[] skipped = { 0 };
        return collect(folder, limit, 0, filter.and(c -> c.hasTags(tags)).and(c -> skipped[0]++ >= offset), true);
    }

    /** Connections whose Hex token expires before {@code limit}, from the expiry index; at most {@code max}. */
    public Uni<List<Connection>> expiringBefore(Instant limit, int max) {
        String lastDay = DAY.format(limit) + "/";
        return keys(TOKEN_EXPIRY)
                .select().where(day -> day.endsWith("/") && day.compareTo(lastDay) <= 0)
                .onItem().transformToMultiAndConcatenate(day -> keys(TOKEN_EXPIRY + day).map(key -> TOKEN_EXPIRY + day + key))
                .onItem().transformToUni(this::valid).merge(CONCURRENCY)
                .select().where(found -> found.isPresent() && found.get().hex() != null
                        && found.get().hex().tokenExpiresAt() != null
                        && Instant.parse(found.get().hex().tokenExpiresAt()).isBefore(limit))
                .map(Optional::get)
                .select().first(max)
                .collect().asList();
    }

    /** Every connection id, in order, a page at a time: what {@link IndexRepair} walks. */
    Uni<List<String>> connectionIds(String after, int limit) {
        return records.list(CONNECTIONS, after, limit)
                .map(keys -> keys.stream().filter(k -> !k.endsWith("/")).toList());
    }

    /** Writes the index entries of a connection's current record again. */
    Uni<Void> reindex(String connectionId) {
        return read(connectionId).flatMap(found -> found.isEmpty() ? Uni.createFrom().voidItem()
                : writeIndex(found.get().value().connection(), found.get().version()));
    }

    /** Keys of the creation index, in order, a page at a time: the other half of what {@link IndexRepair} walks. */
    Uni<List<String>> createdEntries(String after, int limit) {
        return records.list(CREATED, after, limit).map(keys -> keys.stream().filter(k -> !k.endsWith("/")).toList());
    }

    /** Writes a connection's index entries again when one is missing or describes another version; true when it did. */
    Uni<Boolean> repairEntries(String connectionId) {
        return read(connectionId).flatMap(found -> {
            if (found.isEmpty()) {
                return Uni.createFrom().item(false);
            }
            Connection connection = found.get().value().connection();
            int version = found.get().version();
            return Multi.createFrom().iterable(indexKeys(connection))
                    .onItem().transformToUniAndConcatenate(key -> records.read(key)
                            .map(entry -> entry.map(e -> parseVersion(e.value().get(VERSION_FIELD))).orElse(-1)))
                    .collect().asList()
                    .flatMap(versions -> versions.stream().allMatch(v -> v == version) ? Uni.createFrom().item(false)
                            : writeIndex(connection, version).replaceWith(true));
        });
    }

    /**
     * Removes a creation-index entry whose connection no longer exists, with the entries written beside it (end user,
     * expiry); true when it did. Should a new connection of that id be written in between, its entries come back with the
     * next {@link #repairEntries} of it.
     */
    Uni<Boolean> removeIfDangling(String createdKey) {
        return records.read(CREATED + createdKey).flatMap(found -> {
            Optional<Connection> entry = found.flatMap(e -> entryConnection(CREATED + createdKey, e.value()));
            if (entry.isEmpty()) {
                return Uni.createFrom().item(false);
            }
            return records.version(CONNECTIONS + entry.get().connectionId()).flatMap(current -> current != Versioned.ABSENT
                    ? Uni.createFrom().item(false)
                    : unindex(entry.get(), Optional.empty()).replaceWith(true));
        });
    }

    public Uni<Void> createSession(String id, ConnectSession session) {
        return records.write(SESSIONS + id, Map.of(SESSION_FIELD, codec.writeSession(session)), Versioned.ABSENT, false)
                .map(created -> {
                    if (!created) {
                        throw new StoreException("a connect session with this id exists");
                    }
                    return null;
                });
    }

    public Uni<Optional<Versioned<ConnectSession>>> findSession(String id) {
        return records.read(SESSIONS + id).map(found -> found.map(record -> {
            String json = record.value().get(SESSION_FIELD);
            if (json == null) {
                throw new StoreException("A record under " + SESSIONS + " is not a connect session");
            }
            return new Versioned<>(codec.readSession(json), record.version());
        }));
    }

    /**
     * Replaces a session only if it is still at {@code version}; false when another request (on any replica) changed it
     * first. This is what makes a session single-use.
     */
    public Uni<Boolean> replaceSession(String id, ConnectSession session, int version) {
        return records.write(SESSIONS + id, Map.of(SESSION_FIELD, codec.writeSession(session)), version, false);
    }

    /** Removes every connect session that expired before {@code expiredBefore}, used or not; answers how many. */
    public Uni<Integer> purgeSessions(Instant expiredBefore) {
        // A session that expired cannot be used, so deleting it races with nothing.
        return keys(SESSIONS).select().where(key -> !key.endsWith("/"))
                .onItem().transformToUni(id -> findSession(id).onFailure(StoreException.class).recoverWithItem(Optional.empty())
                        .flatMap(found -> found.isPresent() && found.get().value().isExpired(expiredBefore)
                                ? records.delete(SESSIONS + id).replaceWith(1)
                                : Uni.createFrom().item(0)))
                .merge(CONCURRENCY)
                .collect().with(Collectors.summingInt(Integer::intValue));
    }

    public Uni<Void> check() {
        return records.check();
    }

    public String kind() {
        return records.kind();
    }

    Records records() {
        return records;
    }

    private Uni<Void> index(Connection connection, int version) {
        return writeIndex(connection, version).onFailure(StoreException.class).recoverWithUni(failure -> {
            LOG.warnf("Connection %s is stored, but its index entries are not (repaired in the background): %s",
                    Redaction.connectionRef(connection.connectionId()), failure.getMessage());
            repair.enqueue(connection.connectionId());
            return Uni.createFrom().voidItem();
        });
    }

    private Uni<Void> writeIndex(Connection connection, int version) {
        Map<String, String> entry = Map.of(CONNECTION_FIELD, codec.write(connection), VERSION_FIELD, Integer.toString(version));
        return Multi.createFrom().iterable(indexKeys(connection))
                .onItem().transformToUniAndConcatenate(key -> records.put(key, entry))
                .collect().last().replaceWithVoid();
    }

    /** After a replace: entries of the previous version whose keys the new one does not have (another end user, expiry). */
    private Uni<Void> unindexMoved(Optional<Connection> previous, Connection current) {
        return previous.isEmpty() ? Uni.createFrom().voidItem()
                : unindex(previous.get(), Optional.of(current)).onFailure(StoreException.class).recoverWithUni(failure -> {
                    // Harmless: readers skip entries of an older version.
                    LOG.debugf("Older index entries of connection %s stay: %s", current.connectionId(), failure.getMessage());
                    return Uni.createFrom().voidItem();
                });
    }

    private Uni<Void> unindex(Connection previous, Optional<Connection> kept) {
        List<String> keep = kept.map(ConnectionStore::indexKeys).orElse(List.of());
        List<String> gone = indexKeys(previous).stream().filter(k -> !keep.contains(k)).toList();
        return Multi.createFrom().iterable(gone).onItem().transformToUniAndConcatenate(records::delete)
                .collect().last().replaceWithVoid();
    }

    static List<String> indexKeys(Connection connection) {
        List<String> keys = new ArrayList<>(3);
        String sortKey = createdMillis(connection) + "-" + connection.connectionId();
        keys.add(CREATED + sortKey);
        if (connection.endUser() != null && connection.endUser().id() != null) {
            keys.add(endUserFolder(connection.endUser().id()) + sortKey);
        }
        String expires = connection.hex() == null ? null : connection.hex().tokenExpiresAt();
        if (expires != null) {
            keys.add(TOKEN_EXPIRY + DAY.format(Instant.parse(expires)) + "/" + connection.connectionId());
        }
        return keys;
    }

    /** Thirteen digits of epoch milliseconds sort as the instants do, until the year 2286. */
    private static String createdMillis(Connection connection) {
        return String.format("%013d", Instant.parse(connection.createdAt()).toEpochMilli());
    }

    private static String endUserFolder(String endUserId) {
        return END_USERS + Hashes.sha256Hex(endUserId).substring(0, 32) + "/";
    }

    /**
     * Walks a folder of index entries in key order: the first {@code offset} keys are skipped by listing only (a deep page
     * costs one LIST per {@value #SKIP_PAGE} keys before it, and no reads), then entries are read and checked until
     * {@code limit}
     * are current. A stale entry among the skipped keys counts as a row, so a page can shift by one while a crashed
     * write waits for its repair; the entries of a page are always current.
     */
    private Uni<List<Connection>> collect(String folder, int limit, long offset, Predicate<Connection> filter) {
        return collect(folder, limit, offset, filter, false);
    }

    /**
     * {@code sparse}: few entries may match, so each LIST asks for a whole chunk however few matches are missing (the
     * page is cut to {@code limit} at the end).
     */
    private Uni<List<Connection>> collect(String folder, int limit, long offset, Predicate<Connection> filter,
            boolean sparse) {
        return start(folder, null, offset, sparse ? PAGE : Math.min(PAGE, limit))
                .flatMap(first -> walk(folder, first, new ArrayList<>(Math.min(limit, PAGE)), limit, filter, sparse))
                .map(page -> page.size() > limit ? page.subList(0, limit) : page);
    }

    /** Keys listed from a folder, and whether more may follow them. */
    private record Listed(List<String> keys, boolean more) {
    }

    /**
     * Skips {@code offset} keys and answers the next {@code chunk}. The LIST that ends the skipping asks for the chunk
     * too, so a deep page costs no more LISTs than the first one (each costs a KV v2 server the whole folder).
     */
    private Uni<Listed> start(String folder, String after, long offset, int chunk) {
        int skipped = (int) Math.min(skipPage, offset);
        int ask = skipped + chunk;
        return records.list(folder, after, ask).flatMap(keys -> {
            if (keys.size() <= skipped) {
                return Uni.createFrom().item(new Listed(List.of(), false));
            }
            return offset > skipped ? start(folder, keys.get(skipped - 1), offset - skipped, chunk)
                    : Uni.createFrom().item(new Listed(keys.subList(skipped, keys.size()), keys.size() == ask));
        });
    }

    private Uni<List<Connection>> walk(String folder, Listed listed, List<Connection> page, int limit,
            Predicate<Connection> filter, boolean sparse) {
        List<Uni<Optional<Connection>>> reads = listed.keys().stream().filter(k -> !k.endsWith("/"))
                .map(key -> valid(folder + key)).toList();
        Uni<List<Optional<Connection>>> found = reads.isEmpty() ? Uni.createFrom().item(List.of())
                : Uni.join().all(reads).usingConcurrencyOf(CONCURRENCY).andFailFast();
        return found.flatMap(connections -> {
            connections.stream().flatMap(Optional::stream).filter(filter).forEach(page::add);
            if (!listed.more() || page.size() >= limit) {
                return Uni.createFrom().item(page);
            }
            int want = sparse ? PAGE : Math.min(PAGE, limit - page.size());
            return records.list(folder, listed.keys().get(listed.keys().size() - 1), want)
                    .flatMap(keys -> walk(folder, new Listed(keys, keys.size() == want), page, limit, filter, sparse));
        });
    }

    /** An index entry's connection, if the entry describes the record's current version. */
    private Uni<Optional<Connection>> valid(String indexKey) {
        return records.read(indexKey).flatMap(found -> {
            if (found.isEmpty()) {
                return Uni.createFrom().item(Optional.<Connection> empty());
            }
            Optional<Connection> connection = entryConnection(indexKey, found.get().value());
            if (connection.isEmpty()) {
                return Uni.createFrom().item(Optional.<Connection> empty());
            }
            int version = parseVersion(found.get().value().get(VERSION_FIELD));
            return records.version(CONNECTIONS + connection.get().connectionId())
                    .map(current -> current == version ? connection : Optional.<Connection> empty());
        });
    }

    /** The connection an index entry describes; a foreign or damaged entry is skipped and logged, never a failure. */
    private Optional<Connection> entryConnection(String indexKey, Map<String, String> entry) {
        String json = entry.get(CONNECTION_FIELD);
        if (json == null || parseVersion(entry.get(VERSION_FIELD)) <= 0) {
            LOG.warnf("Skipped a record that is not a hexgate index entry: %s", indexKey);
            return Optional.empty();
        }
        try {
            return Optional.of(codec.read(json));
        } catch (StoreException e) {
            LOG.warnf("Skipped index entry %s: %s", indexKey, e.getMessage());
            return Optional.empty();
        }
    }

    private static int parseVersion(String text) {
        try {
            return text == null ? -1 : Integer.parseInt(text);
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    /** A record's connection; a foreign or damaged record under the folder is skipped and logged, never a failure. */
    private Optional<StoredConnection> decode(String connectionId, Map<String, String> record) {
        String token = record.get(TOKEN_FIELD);
        String json = record.get(CONNECTION_FIELD);
        if (token == null || json == null) {
            LOG.warnf("Skipped %s%s: not a hexgate connection (no %s and %s fields)", CONNECTIONS,
                    Redaction.connectionRef(connectionId), TOKEN_FIELD,
                    CONNECTION_FIELD);
            return Optional.empty();
        }
        try {
            return Optional.of(new StoredConnection(codec.read(json), token));
        } catch (StoreException e) {
            LOG.warnf("Skipped %s%s: %s", CONNECTIONS, Redaction.connectionRef(connectionId), e.getMessage());
            return Optional.empty();
        }
    }

    /** Every key directly in a folder, in order, listed a page at a time as it is consumed. */
    private Multi<String> keys(String folder) {
        return keysAfter(folder, null);
    }

    private Multi<String> keysAfter(String folder, String after) {
        return records.list(folder, after, PAGE).onItem().transformToMulti(keys -> {
            Multi<String> these = Multi.createFrom().iterable(keys);
            return keys.size() < PAGE ? these
                    : Multi.createBy().concatenating().streams(these, keysAfter(folder, keys.get(keys.size() - 1)));
        });
    }
}
