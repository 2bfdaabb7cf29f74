package dev.hexgate.store;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.fasterxml.jackson.databind.ObjectMapper;

import dev.hexgate.domain.ConnectSession;
import dev.hexgate.domain.Connection;
import dev.hexgate.domain.EndUser;
import dev.hexgate.domain.HexAccount;
import dev.hexgate.domain.StoredConnection;
import dev.hexgate.error.Redaction;
import dev.hexgate.support.Hashes;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;

/** The embedded store on its own: restarts, encryption at rest, key handling, tampering, the legacy layout. */
class FileStoreTest {

    private static final String TOKEN = "hxtp_" + "0a1b2c3d".repeat(6);
    private final ConnectionCodec codec = new ConnectionCodec(new ObjectMapper());
    private final StoreMetrics metrics = new StoreMetrics(new SimpleMeterRegistry(), InstantSource.system());

    @TempDir
    Path dir;

    private static StoredConnection connection(String id, String token) {
        HexAccount account = new HexAccount("personal", Redaction.hint(token), "org-1", "ana@example.com", null,
                "2026-11-28T00:00:00Z");
        return new StoredConnection(new Connection(id, "hex", "app", null, new EndUser("user-1", null, null, null),
                Map.of("env", "test"), "2026-11-28T00:00:00Z", "2026-11-28T00:00:00Z", account, null, null), token);
    }

    private ConnectionStore store() {
        return store(Optional.empty());
    }

    private ConnectionStore store(Optional<String> key) {
        return new ConnectionStore(new FileRecords(dir, key, codec.mapper(), metrics), codec, new IndexRepair());
    }

    private static void save(ConnectionStore store, StoredConnection connection) {
        Optional<Versioned<StoredConnection>> previous = store.read(connection.connectionId()).await().indefinitely();
        assertTrue(store.save(connection, previous).await().indefinitely());
    }

    @Test
    void survivesARestart() {
        save(store(), connection("acme-1", TOKEN));
        ConnectionStore restarted = store();
        StoredConnection found = restarted.find("acme-1").await().indefinitely().orElseThrow();
        assertEquals(TOKEN, found.token());
        assertEquals(connection("acme-1", TOKEN).connection(), found.connection());
        assertEquals(List.of("acme-1"),
                restarted.page(Optional.empty(), 10, 0).await().indefinitely().stream().map(Connection::connectionId).toList());
    }

    /**
     * Found by schemathesis: a connection id of 255 characters (the contract's limit) made a file name longer than file
     * systems allow, so such a link, and any lookup of such an id, answered 503 and marked the store down.
     */
    @Test
    void keepsIdsTooLongForOneFileNameAndListsThemInOrder() {
        String longest = "a".repeat(254) + "z";
        String escaped = "x." + ".:@".repeat(84);
        ConnectionStore store = store();
        save(store, connection(longest, TOKEN));
        save(store, connection(escaped, TOKEN));
        save(store, connection("short", TOKEN));
        for (ConnectionStore reader : List.of(store, store())) {
            assertEquals(longest, reader.find(longest).await().indefinitely().orElseThrow().connectionId());
            assertEquals(escaped, reader.find(escaped).await().indefinitely().orElseThrow().connectionId());
            assertEquals(List.of(longest, "short", escaped), reader.records().list(ConnectionStore.CONNECTIONS, null, 10)
                    .await().indefinitely());
        }
        assertTrue(store.delete(longest).await().indefinitely());
        assertTrue(store().find(longest).await().indefinitely().isEmpty());
        assertEquals(List.of("short", escaped), store().records().list(ConnectionStore.CONNECTIONS, null, 10).await()
                .indefinitely());
    }

    @Test
    void keepsNoPlaintextTokenOnDisk() throws IOException {
        save(store(), connection("acme-secret-id", TOKEN));
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path file : files.filter(Files::isRegularFile).toList()) {
                String content = new String(Files.readAllBytes(file), StandardCharsets.ISO_8859_1);
                assertFalse(content.contains(TOKEN), file + " holds the token");
                assertFalse(content.contains("hxtp_"), file + " holds a token prefix");
                // Connection ids name the files, as they name the keys in Vault; the contents say nothing.
                assertFalse(content.contains("user-1") || file.toString().contains("user-1"), file.toString());
            }
        }
    }

    @Test
    void generatesItsKeyWithOwnerOnlyPermissions() throws IOException {
        store();
        Path key = dir.resolve("store.key");
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(key)));
        assertEquals(32, Base64.getDecoder().decode(Files.readString(key).trim()).length);
        byte[] before = Files.readAllBytes(key);
        store();
        assertArrayEquals(before, Files.readAllBytes(key), "an existing key is reused, never replaced");
    }

    @Test
    void readsNothingWithAnotherKey() {
        save(store(), connection("acme-1", TOKEN));
        String otherKey = Base64.getEncoder().encodeToString(new byte[32]);
        ConnectionStore wrongKey = store(Optional.of(otherKey));
        StoreException e = assertThrows(StoreException.class, () -> wrongKey.find("acme-1").await().indefinitely());
        assertTrue(e.getMessage().contains("HEXGATE_STORE_FILE_KEY"));
    }

    @Test
    void refusesTamperedOrSwappedFiles() throws IOException {
        ConnectionStore store = store();
        save(store, connection("one", TOKEN));
        save(store, connection("two", TOKEN.replace('0', '9')));
        List<Path> files;
        try (Stream<Path> s = Files.list(dir.resolve("connections"))) {
            files = s.filter(f -> f.toString().endsWith(".rec")).sorted().toList();
        }
        // Copying one connection's file over another's must not make it readable under the other id.
        Files.copy(files.get(0), files.get(1), StandardCopyOption.REPLACE_EXISTING);
        int failures = 0;
        for (String id : List.of("one", "two")) {
            try {
                store.find(id).await().indefinitely();
            } catch (StoreException e) {
                failures++;
            }
        }
        assertEquals(1, failures);
        byte[] bytes = Files.readAllBytes(files.get(0));
        bytes[bytes.length - 1] ^= 1;
        Files.write(files.get(0), bytes);
        assertEquals(2, Stream.of("one", "two").filter(id -> {
            try {
                store.find(id).await().indefinitely();
                return false;
            } catch (StoreException e) {
                return true;
            }
        }).count());
    }

    @Test
    void refusesAConfiguredKeyOfTheWrongSizeWithoutShowingIt() {
        String shortKey = Base64.getEncoder().encodeToString("sixteen-byte-key".getBytes(StandardCharsets.UTF_8));
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> store(Optional.of(shortKey)));
        assertTrue(e.getMessage().contains("32 bytes"));
        assertFalse(e.getMessage().contains(shortKey));
    }

    @Test
    void purgesOnlySessionsThatExpiredBeforeTheCutOff() throws IOException {
        ConnectionStore store = store();
        Instant now = Instant.now();
        for (String id : List.of("old", "recent")) {
            Instant expiry = id.equals("old") ? now.minus(Duration.ofDays(2)) : now.minus(Duration.ofHours(1));
            store.createSession(id, new ConnectSession(new EndUser("user-1", null, null, null), Map.of(), null,
                    expiry.minus(Duration.ofMinutes(30)).toString(), expiry.toString(), null, null, null, null)).await()
                    .indefinitely();
        }

        assertEquals(1, store.purgeSessions(now.minus(Duration.ofDays(1))).await().indefinitely());

        assertTrue(store.findSession("old").await().indefinitely().isEmpty());
        assertTrue(store.findSession("recent").await().indefinitely().isPresent());
        try (Stream<Path> files = Files.list(dir.resolve("connect-sessions"))) {
            assertEquals(1, files.count(), "one file left, no temporary files");
        }
        assertEquals(0, store.purgeSessions(now.minus(Duration.ofDays(1))).await().indefinitely());
    }

    @Test
    void deletesAndLeavesNoTemporaryFiles() throws IOException {
        ConnectionStore store = store();
        save(store, connection("gone", TOKEN));
        save(store, connection("gone", TOKEN));
        assertTrue(store.delete("gone").await().indefinitely());
        assertFalse(store.delete("gone").await().indefinitely());
        assertTrue(store.find("gone").await().indefinitely().isEmpty());
        try (Stream<Path> s = Files.list(dir.resolve("connections"))) {
            assertEquals(0, s.count());
        }
    }

    private static StoredConnection connection(String id, String endUser, String createdAt) {
        StoredConnection base = connection(id, TOKEN);
        Connection c = base.connection();
        return new StoredConnection(new Connection(id, c.providerConfigKey(), c.subdomain(), c.metadata(),
                new EndUser(endUser, null, null, null), c.tags(), createdAt, createdAt, c.hex(), null, null), TOKEN);
    }

    private static List<String> ids(List<Connection> connections) {
        return connections.stream().map(Connection::connectionId).toList();
    }

    @Test
    void pagesInCreationOrderAndByEndUserFromTheIndexes() {
        ConnectionStore store = store();
        for (int i = 0; i < 25; i++) {
            save(store, connection("c-" + i, "u-" + (i % 3), Instant.parse("2026-11-01T00:00:00Z").plusSeconds(i).toString()));
        }
        assertEquals(List.of("c-0", "c-1", "c-2"), ids(store.page(Optional.empty(), 3, 0).await().indefinitely()));
        assertEquals(List.of("c-23", "c-24"), ids(store.page(Optional.empty(), 10, 23).await().indefinitely()));
        assertEquals(List.of("c-7", "c-10", "c-13"), ids(store.page(Optional.of("u-1"), 3, 2).await().indefinitely()));
        assertEquals(List.of(), store.page(Optional.of("nobody"), 3, 0).await().indefinitely());
    }

    @Test
    void reachesDeepPagesThroughSeveralSkippingLists() {
        // Four keys skipped per LIST: an offset of 23 takes six LISTs, and the page starts where the last one stopped.
        ConnectionStore store = new ConnectionStore(new FileRecords(dir, Optional.empty(), codec.mapper(), metrics), codec,
                new IndexRepair(), 4);
        for (int i = 0; i < 25; i++) {
            save(store, connection("c-" + i, "u-" + (i % 3), Instant.parse("2026-11-01T00:00:00Z").plusSeconds(i).toString()));
        }
        assertEquals(List.of("c-8", "c-9"), ids(store.page(Optional.empty(), 2, 8).await().indefinitely()));
        assertEquals(List.of("c-9", "c-10", "c-11"), ids(store.page(Optional.empty(), 3, 9).await().indefinitely()));
        assertEquals(List.of("c-23", "c-24"), ids(store.page(Optional.empty(), 10, 23).await().indefinitely()));
        assertEquals(List.of("c-24"), ids(store.page(Optional.empty(), 10, 24).await().indefinitely()));
        assertEquals(List.of(), store.page(Optional.empty(), 10, 25).await().indefinitely());
        assertEquals(List.of(), store.page(Optional.empty(), 10, 40).await().indefinitely());
        // u-1 has c-1, c-4, …, c-22: eight of them.
        assertEquals(List.of("c-19", "c-22"), ids(store.page(Optional.of("u-1"), 5, 6).await().indefinitely()));
    }

    @Test
    void skipsIndexEntriesOfReplacedAndDeletedConnections() {
        ConnectionStore store = store();
        save(store, connection("moves", "u-1", "2026-11-01T00:00:00Z"));
        save(store, connection("stays", "u-1", "2026-11-01T00:00:01Z"));
        save(store, connection("moves", "u-2", "2026-11-01T00:00:00Z"));
        assertEquals(List.of("stays"), ids(store.page(Optional.of("u-1"), 10, 0).await().indefinitely()));
        assertEquals(List.of("moves"), ids(store.page(Optional.of("u-2"), 10, 0).await().indefinitely()));

        // An entry left by a write that failed half-way names a version the record no longer has: it is not listed.
        Records records = store.records();
        Map<String, String> stale = Map.of("connection",
                codec.write(connection("stays", "u-2", "2026-11-01T00:00:01Z").connection()), "version", "7");
        records.put(ConnectionStore.indexKeys(connection("stays", "u-2", "2026-11-01T00:00:01Z").connection()).get(1), stale)
                .await().indefinitely();
        assertEquals(List.of("moves"), ids(store.page(Optional.of("u-2"), 10, 0).await().indefinitely()));

        assertTrue(store.delete("moves").await().indefinitely());
        assertEquals(List.of("stays"), ids(store.page(Optional.empty(), 10, 0).await().indefinitely()));
    }

    @Test
    void aWriteNamingAnOlderVersionChangesNothing() {
        ConnectionStore store = store();
        save(store, connection("raced", TOKEN));
        Optional<Versioned<StoredConnection>> seen = store.read("raced").await().indefinitely();
        save(store, connection("raced", TOKEN.replace('0', '7')));
        assertFalse(store.save(connection("raced", TOKEN.replace('0', '8')), seen).await().indefinitely());
        assertFalse(store.save(connection("raced", TOKEN.replace('0', '8')), Optional.empty()).await().indefinitely());
        assertEquals(TOKEN.replace('0', '7'), store.find("raced").await().indefinitely().orElseThrow().token());
    }

    @Test
    void movesConnectionsOfTheFirstFileLayoutAndIndexesThem() throws Exception {
        store();
        // The first layout: connections/<sha256 of id>.conn holding {token, connection}, sealed with its file name.
        FileCipher cipher = FileCipher.open(dir, Optional.empty());
        StoredConnection old = connection("from-0.x", "u-old", "2026-01-01T00:00:00Z");
        String name = Hashes.sha256Hex("from-0.x") + ".conn";
        ObjectMapper mapper = codec.mapper();
        byte[] json = mapper.writeValueAsBytes(Map.of("token", old.token(), "connection",
                mapper.readTree(codec.write(old.connection()))));
        Files.write(dir.resolve("connections").resolve(name), cipher.seal(json, name.getBytes(StandardCharsets.UTF_8)));
        Files.createDirectories(dir.resolve("connect-sessions"));
        Files.write(dir.resolve("connect-sessions").resolve("abc.sess"), new byte[] { 1 });

        ConnectionStore upgraded = store();
        assertEquals(old, upgraded.find("from-0.x").await().indefinitely().orElseThrow());
        assertFalse(Files.exists(dir.resolve("connections").resolve(name)));
        assertFalse(Files.exists(dir.resolve("connect-sessions").resolve("abc.sess")));
        assertEquals(1, new IndexRepair().backfill(upgraded).await().indefinitely());
        assertEquals(List.of("from-0.x"), ids(upgraded.page(Optional.of("u-old"), 10, 0).await().indefinitely()));
        assertEquals(0, new IndexRepair().backfill(upgraded).await().indefinitely(), "the marker says it was done");
    }

    @Test
    void theBackgroundCheckRepairsWhatACrashLeft() {
        ConnectionStore store = store();
        Records records = store.records();
        for (int i = 0; i < 5; i++) {
            save(store, connection("kept-" + i, "u-1", "2026-11-01T00:00:0" + i + "Z"));
        }
        // A crash after the record was written, before its index entries: not listed yet.
        StoredConnection unindexed = connection("unindexed", "u-1", "2026-11-01T00:00:09Z");
        assertTrue(records.write(ConnectionStore.CONNECTIONS + "unindexed", Map.of(ConnectionStore.TOKEN_FIELD, TOKEN,
                ConnectionStore.CONNECTION_FIELD, codec.write(unindexed.connection())), Versioned.ABSENT, true)
                .await().indefinitely());
        // A crash after a record was deleted, before its entries were: skipped by readers, and left behind.
        assertTrue(records.delete(ConnectionStore.CONNECTIONS + "kept-2").await().indefinitely());

        IndexRepair repair = new IndexRepair();
        int fixed = 0;
        for (int run = 0; run < 4; run++) {
            fixed += repair.sweep(store, 2).await().indefinitely();
        }

        assertEquals(2, fixed, "one connection indexed, one dangling entry removed");
        assertEquals(List.of("kept-0", "kept-1", "kept-3", "kept-4", "unindexed"),
                ids(store.page(Optional.of("u-1"), 10, 0).await().indefinitely()));
        assertEquals(5, records.list(ConnectionStore.CREATED, null, 100).await().indefinitely().size());
        assertEquals(0, repair.sweep(store, 100).await().indefinitely(), "nothing left to fix");
    }
}
