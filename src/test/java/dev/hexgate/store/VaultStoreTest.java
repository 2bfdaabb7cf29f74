package dev.hexgate.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import jakarta.inject.Inject;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import com.fasterxml.jackson.databind.ObjectMapper;

import dev.hexgate.domain.Connection;
import dev.hexgate.domain.EndUser;
import dev.hexgate.domain.HexAccount;
import dev.hexgate.domain.StoredConnection;
import dev.hexgate.error.Redaction;
import dev.hexgate.testing.FakeHexResource;
import dev.hexgate.testing.NoSecretsInLogs;
import dev.hexgate.testing.OpenBao;
import dev.hexgate.testing.OpenBaoResource;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.smallrye.mutiny.Uni;

/**
 * The connection store on a real OpenBao server, with the shipped policy: pages come from the indexes without reading a
 * token, concurrent writes of one connection cannot both win, a {@code cas_required} mount works, foreign secrets under
 * the folder are skipped.
 */
@QuarkusTest
@WithTestResource(OpenBaoResource.class)
@WithTestResource(FakeHexResource.class)
@ExtendWith(NoSecretsInLogs.class)
class VaultStoreTest {

    private static final String TOKEN = "hxtp_" + "5e6f7a8b".repeat(6);
    private static final ObjectMapper JSON = new ObjectMapper();

    OpenBao vault;

    @Inject
    ConnectionStore store;

    @BeforeEach
    void reset() {
        vault.clear();
    }

    private static StoredConnection connection(String id, String endUser, int second, String token) {
        String at = Instant.parse("2026-11-01T00:00:00Z").plusSeconds(second).toString();
        HexAccount account = new HexAccount("personal", Redaction.hint(token), "org-1", "ana@example.com", null, null);
        return new StoredConnection(new Connection(id, "hex", "app", null, new EndUser(endUser, null, null, null), Map.of(),
                at, at, account, null, null), token);
    }

    private void save(StoredConnection connection) {
        assertTrue(store.save(connection, store.read(connection.connectionId()).await().indefinitely()).await().indefinitely());
    }

    private static List<String> ids(List<Connection> connections) {
        return connections.stream().map(Connection::connectionId).toList();
    }

    @Test
    void listsAPageFromTheIndexesWithoutReadingAToken() {
        for (int i = 0; i < 40; i++) {
            save(connection("c-" + i, "u-" + (i % 4), i, TOKEN));
        }
        vault.clearReceived();

        assertEquals(List.of("c-11", "c-15", "c-19"), ids(store.page(Optional.of("u-3"), 3, 2).await().indefinitely()));
        assertEquals(List.of("c-38", "c-39"), ids(store.page(Optional.empty(), 5, 38).await().indefinitely()));

        assertEquals(List.of(), vault.receivedMatching("GET", "/v1/secret/data/hexgate/connections/"),
                "no connection record (and so no token) is read to list");
        // Skipped rows are listed, not read: 3 entries for the first page, the 2 left after row 38 for the second.
        assertEquals(5, vault.receivedMatching("GET", "/v1/secret/data/hexgate/index/").size(),
                "only the entries of the pages are read");
    }

    @Test
    void checksTheStoreWithOneReadAndNoListOfConnections() {
        save(connection("checked", "u-1", 0, TOKEN));
        vault.clearReceived();

        store.check().await().indefinitely();

        List<String> sent = vault.received().stream().map(r -> r.method() + " " + r.path()).toList();
        // A LIST of connections/ costs OpenBao the whole folder, whatever its limit: about a second per 100,000 keys.
        assertEquals(List.of("GET /v1/secret/metadata/hexgate/" + VaultRecords.CHECK_KEY), sent);
    }

    @Test
    void keepsOneVersionSoAReplacedTokenIsGone() {
        save(connection("one", "u-1", 0, TOKEN));
        save(connection("one", "u-1", 0, TOKEN.replace('5', '9')));
        List<?> readable = vault.readableVersions("hexgate/connections/one");
        assertEquals(1, readable.size());
        assertEquals(1, vault.metadata("hexgate/connections/one").path("max_versions").asInt());
    }

    @Test
    void letsOnlyOneOfTwoConcurrentCreationsWin() {
        List<Boolean> results = Uni.join()
                .all(store.save(connection("raced", "u-1", 0, TOKEN), Optional.empty()),
                        store.save(connection("raced", "u-2", 0, TOKEN.replace('5', '9')), Optional.empty()))
                .andCollectFailures().await().indefinitely();
        assertEquals(1, results.stream().filter(Boolean::booleanValue).count(), results.toString());
        StoredConnection kept = store.find("raced").await().indefinitely().orElseThrow();
        String winner = kept.connection().endUser().id();
        assertEquals(winner.equals("u-1") ? TOKEN : TOKEN.replace('5', '9'), kept.token(), "record and token match");
        assertEquals(List.of("raced"), ids(store.page(Optional.of(winner), 10, 0).await().indefinitely()));
        assertEquals(List.of(),
                ids(store.page(Optional.of(winner.equals("u-1") ? "u-2" : "u-1"), 10, 0).await().indefinitely()));
    }

    @Test
    void worksOnAMountThatRequiresCheckAndSet() {
        vault.root("POST", "secret/config", "{\"cas_required\":true}");
        try {
            save(connection("strict", "u-1", 0, TOKEN));
            save(connection("strict", "u-1", 0, TOKEN.replace('5', '9')));
            assertEquals(List.of("strict"), ids(store.page(Optional.of("u-1"), 10, 0).await().indefinitely()));
            assertTrue(store.delete("strict").await().indefinitely());
        } finally {
            vault.root("POST", "secret/config", "{\"cas_required\":false}");
        }
    }

    @Test
    void skipsSecretsThatAreNotHexgates() {
        save(connection("mine", "u-1", 0, TOKEN));
        vault.put("hexgate/connections/foreign", JSON.createObjectNode().put("password", "not-a-connection"));
        vault.put("hexgate/index/created/0000000000000-foreign", JSON.createObjectNode().put("x", "y"));

        assertEquals(List.of("mine"), ids(store.page(Optional.empty(), 10, 0).await().indefinitely()));
        assertTrue(store.find("foreign").await().indefinitely().isEmpty());
        assertFalse(store.find("mine").await().indefinitely().isEmpty());
    }
}
