package dev.hexgate.webhook;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import dev.hexgate.store.FileStoreProfile;
import dev.hexgate.testing.Await;
import dev.hexgate.testing.FakeHex;
import dev.hexgate.testing.FakeHexResource;
import dev.hexgate.testing.Keys;
import dev.hexgate.testing.Links;
import dev.hexgate.testing.NoSecretsInLogs;
import dev.hexgate.testing.WebhookReceiver;
import dev.hexgate.testing.WebhookReceiverResource;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;

/** The embedded file store keeps the webhook queue as it keeps connections: queued, sent, removed. */
@QuarkusTest
@TestProfile(FileStoreProfile.class)
@WithTestResource(FakeHexResource.class)
@WithTestResource(WebhookReceiverResource.class)
@ExtendWith(NoSecretsInLogs.class)
class WebhooksOnFileStoreTest {

    private static final Duration WAIT = Duration.ofSeconds(20);

    FakeHex hex;
    WebhookReceiver receiver;

    @Test
    void queuesSendsAndRemovesDeliveriesOnTheFileStore() {
        String token = hex.workspaceToken("acme");
        Links.linked("file-hook", "acme", token);
        given().header("Authorization", Keys.bearer(Keys.FULL)).when().delete("/connections/file-hook").then()
                .statusCode(200);
        assertEquals(1, receiver.await(WebhookReceiver.operation("creation", "file-hook"), 1, WAIT).size());
        assertEquals(1, receiver.await(WebhookReceiver.operation("deletion", "file-hook"), 1, WAIT).size());
        Path pending = FileStoreProfile.DIR.resolve("webhooks").resolve("pending");
        assertTrue(Await.until(() -> files(pending) == 0, WAIT), "nothing stays queued in " + pending);
        assertTrue(receiver.hooks().stream().noneMatch(h -> h.body().contains(token)));
    }

    private static long files(Path folder) {
        if (!Files.isDirectory(folder)) {
            return 0;
        }
        try (Stream<Path> all = Files.walk(folder)) {
            return all.filter(Files::isRegularFile).count();
        } catch (IOException e) {
            return -1;
        }
    }
}
