package dev.hexgate.connectui;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.Instant;
import java.util.Map;

import jakarta.inject.Inject;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import dev.hexgate.domain.ConnectSession;
import dev.hexgate.domain.EndUser;
import dev.hexgate.store.ConnectionStore;
import dev.hexgate.testing.ConnectFlow;
import dev.hexgate.testing.FakeHexResource;
import dev.hexgate.testing.NoSecretsInLogs;
import dev.hexgate.testing.OpenBao;
import dev.hexgate.testing.OpenBaoResource;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;

/** Expired connect sessions leave Vault a day after expiry; live and recently expired ones stay. */
@QuarkusTest
@WithTestResource(OpenBaoResource.class)
@WithTestResource(FakeHexResource.class)
@ExtendWith(NoSecretsInLogs.class)
class ConnectSessionSweeperTest {

    private static final String USER = "{\"end_user\":{\"id\":\"user-9\"}}";

    OpenBao vault;

    @Inject
    ConnectionStore store;

    @Inject
    ConnectSessionSweeper sweeper;

    @BeforeEach
    void reset() {
        vault.clear();
    }

    private void stored(String id, Duration expiredAgo, boolean used) {
        Instant expiry = Instant.now().minus(expiredAgo);
        ConnectSession session = new ConnectSession(new EndUser("user-9", null, null, null), Map.of(), null,
                expiry.minus(Duration.ofMinutes(30)).toString(), expiry.toString(), null, null, null, null);
        store.createSession(id, used ? session.usedBy("acme", expiry.minusSeconds(60)) : session).await().indefinitely();
    }

    private static String path(String id) {
        return "hexgate/connect-sessions/" + id;
    }

    @Test
    void removesSessionsADayAfterTheyExpiredUsedOrNot() {
        String live = ConnectFlow.session(USER);
        stored("a1", Duration.ofDays(2), false);
        stored("a2", Duration.ofDays(3), true);
        stored("b1", Duration.ofHours(2), false);

        assertEquals(2, sweeper.sweep().await().indefinitely());

        assertFalse(vault.hasMetadata(path("a1")), "no version history left behind either");
        assertFalse(vault.hasMetadata(path("a2")));
        assertTrue(vault.hasMetadata(path("b1")), "expired within the day: kept, so its link still says 'expired'");
        assertTrue(vault.hasMetadata(path(ConnectSessionService.id(live))));
        ConnectFlow.open(live).then().statusCode(200);
        assertEquals(0, sweeper.sweep().await().indefinitely());
    }

    @Test
    void sweepsAnEmptyFolderWithoutFailing() {
        // Vault answers LIST on a folder with nothing in it with 404 (docs/operations.md, "Vault as it really behaves").
        assertEquals(0, sweeper.sweep().await().indefinitely());
    }
}
