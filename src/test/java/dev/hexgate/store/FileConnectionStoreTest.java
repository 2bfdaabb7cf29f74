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
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;

/** The embedded store on its own: restarts, encryption at rest, key handling, tampering. */
class FileConnectionStoreTest {

    private static final String TOKEN = "hxtp_" + "0a1b2c3d".repeat(6);
    private final ConnectionCodec codec = new ConnectionCodec(new ObjectMapper());
    private final StoreMetrics metrics = new StoreMetrics(new SimpleMeterRegistry());

    @TempDir
    Path dir;

    private static StoredConnection connection(String id, String token) {
        HexAccount account = new HexAccount("personal", Redaction.hint(token), "org-1", "ana@example.com", null,
                "2026-11-28T00:00:00Z");
        return new StoredConnection(new Connection(id, "hex", "app", null, new EndUser("user-1", null, null, null),
                Map.of("env", "test"), "2026-11-28T00:00:00Z", "2026-11-28T00:00:00Z", account), token);
    }

    private FileConnectionStore store() {
        return new FileConnectionStore(dir, Optional.empty(), codec, metrics);
    }

    @Test
    void survivesARestart() {
        store().save(connection("acme-1", TOKEN)).await().indefinitely();
        FileConnectionStore restarted = store();
        StoredConnection found = restarted.find("acme-1").await().indefinitely().orElseThrow();
        assertEquals(TOKEN, found.token());
        assertEquals(connection("acme-1", TOKEN).connection(), found.connection());
        assertEquals(List.of("acme-1"),
                restarted.list().await().indefinitely().stream().map(Connection::connectionId).toList());
    }

    @Test
    void keepsNoPlaintextTokenOrIdOnDisk() throws IOException {
        store().save(connection("acme-secret-id", TOKEN)).await().indefinitely();
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path file : files.filter(Files::isRegularFile).toList()) {
                String content = new String(Files.readAllBytes(file), StandardCharsets.ISO_8859_1);
                assertFalse(content.contains(TOKEN), file + " holds the token");
                assertFalse(content.contains("hxtp_"), file + " holds a token prefix");
                assertFalse(content.contains("acme-secret-id") || file.toString().contains("acme-secret-id"), file.toString());
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
        store().save(connection("acme-1", TOKEN)).await().indefinitely();
        String otherKey = Base64.getEncoder().encodeToString(new byte[32]);
        FileConnectionStore wrongKey = new FileConnectionStore(dir, Optional.of(otherKey), codec, metrics);
        StoreException e = assertThrows(StoreException.class, () -> wrongKey.find("acme-1").await().indefinitely());
        assertTrue(e.getMessage().contains("HEXGATE_STORE_FILE_KEY"));
    }

    @Test
    void refusesTamperedOrSwappedFiles() throws IOException {
        FileConnectionStore store = store();
        store.save(connection("one", TOKEN)).await().indefinitely();
        store.save(connection("two", TOKEN.replace('0', '9'))).await().indefinitely();
        List<Path> files;
        try (Stream<Path> s = Files.list(dir.resolve("connections"))) {
            files = s.sorted().toList();
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
                () -> new FileConnectionStore(dir, Optional.of(shortKey), codec, metrics));
        assertTrue(e.getMessage().contains("32 bytes"));
        assertFalse(e.getMessage().contains(shortKey));
    }

    @Test
    void purgesOnlySessionsThatExpiredBeforeTheCutOff() throws IOException {
        FileConnectionStore store = store();
        Instant now = Instant.now();
        for (String id : List.of("old", "recent")) {
            Instant expiry = id.equals("old") ? now.minus(Duration.ofDays(2)) : now.minus(Duration.ofHours(1));
            store.createSession(id, new ConnectSession(new EndUser("user-1", null, null, null), Map.of(), null,
                    expiry.minus(Duration.ofMinutes(30)).toString(), expiry.toString(), null, null)).await().indefinitely();
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
        FileConnectionStore store = store();
        store.save(connection("gone", TOKEN)).await().indefinitely();
        store.save(connection("gone", TOKEN)).await().indefinitely();
        assertTrue(store.delete("gone").await().indefinitely());
        assertFalse(store.delete("gone").await().indefinitely());
        assertTrue(store.find("gone").await().indefinitely().isEmpty());
        try (Stream<Path> s = Files.list(dir.resolve("connections"))) {
            assertEquals(0, s.count());
        }
    }
}
