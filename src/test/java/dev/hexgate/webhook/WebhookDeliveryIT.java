package dev.hexgate.webhook;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import dev.hexgate.testing.Await;
import dev.hexgate.testing.FakeHex;
import dev.hexgate.testing.GatewayProcess;
import dev.hexgate.testing.Keys;
import dev.hexgate.testing.Links;
import dev.hexgate.testing.OpenBao;
import dev.hexgate.testing.WebhookReceiver;
import dev.hexgate.testing.WebhookReceiver.Answer;
import dev.hexgate.testing.WebhookReceiver.Hook;
import dev.hexgate.testing.WebhookReceiverResource;

/**
 * Two packaged replicas on one real OpenBao: every webhook is sent by exactly one of them, and a replica killed right
 * after answering a link, while its first attempt hangs, loses nothing: the other replica sends the same delivery again.
 */
class WebhookDeliveryIT {

    private static final Duration WAIT = Duration.ofSeconds(30);
    private static final HttpClient CLIENT = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(2)).build();

    private final FakeHex hex = new FakeHex();
    private final WebhookReceiver receiver = new WebhookReceiver();
    private final List<GatewayProcess> replicas = new ArrayList<>();
    private OpenBao vault;

    @BeforeEach
    void start() throws IOException {
        hex.start();
        receiver.start();
        vault = OpenBao.dev("webhook-delivery-it");
        for (String name : List.of("webhook-a", "webhook-b")) {
            replicas.add(GatewayProcess.start(name, Map.of("HEXGATE_STORE", "vault", "QUARKUS_VAULT_URL", vault.url(),
                    "QUARKUS_VAULT_AUTHENTICATION_CLIENT_TOKEN", vault.gatewayToken(),
                    "HEXGATE_UPSTREAM_SCHEME", "http", "HEXGATE_UPSTREAM_CONNECT_TO", hex.address(),
                    "HEXGATE_WEBHOOK_URLS", receiver.url(WebhookReceiverResource.PATH),
                    "HEXGATE_WEBHOOK_SIGNING_KEY", WebhookReceiverResource.SIGNING_KEY,
                    "HEXGATE_WEBHOOK_TIMEOUT", "2s", "HEXGATE_WEBHOOK_POLL_EVERY", "1s")));
        }
    }

    @AfterEach
    void stop() {
        replicas.forEach(GatewayProcess::close);
        if (vault != null) {
            vault.close();
        }
        receiver.stop();
        hex.stop();
    }

    @Test
    void twoReplicasNeverBothDeliverTheSameEvent() {
        for (int i = 0; i < 12; i++) {
            assertEquals(201, link(replicas.get(i % 2), "two-" + i));
        }
        assertEquals(12, receiver.await(WebhookReceiver.operation("creation", null), 12, WAIT).size());
        // Both replicas poll every second: give them a few polls to send anything twice.
        Await.until(() -> false, Duration.ofSeconds(4));
        List<Hook> hooks = receiver.hooks();
        assertEquals(12, hooks.size(), "one webhook per link: " + hooks);
        assertEquals(12, WebhookReceiver.deliveries(hooks).stream().distinct().count());
        assertTrue(hooks.stream().allMatch(h -> "1".equals(h.header("X-Hexgate-Attempt"))), hooks.toString());
        assertTrue(Await.until(() -> vault.list("hexgate/webhooks/pending/").isEmpty(), WAIT), "nothing stays queued");
    }

    @Test
    void aReplicaKilledRightAfterAnsweringLosesNoWebhook() {
        // The first attempt reaches the receiver and hangs there; the replica that made it dies meanwhile.
        receiver.answerNext(new Answer(200, Map.of(), Duration.ofSeconds(20)));
        GatewayProcess doomed = replicas.get(0);
        assertEquals(201, link(doomed, "killed-1"));
        List<Hook> first = receiver.await(WebhookReceiver.operation("creation", "killed-1"), 1, WAIT);
        assertEquals(1, first.size());
        doomed.process().destroyForcibly();

        List<Hook> attempts = receiver.await(WebhookReceiver.operation("creation", "killed-1"), 2, WAIT);
        assertEquals(2, attempts.size(), "the other replica sent it again once the claim ran out: " + attempts);
        assertEquals(first.get(0).delivery(), attempts.get(1).delivery(), "with the same delivery id");
        assertEquals("2", attempts.get(1).header("X-Hexgate-Attempt"));
        assertEquals(first.get(0).body(), attempts.get(1).body());
        assertTrue(Await.until(() -> vault.list("hexgate/webhooks/pending/").isEmpty(), WAIT), "and it is done");
    }

    private int link(GatewayProcess replica, String id) {
        try {
            return CLIENT.send(HttpRequest.newBuilder(replica.uri("/connections"))
                    .header("Authorization", Keys.bearer(Keys.FULL)).header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString(Links.body(id, "app", hex.personalToken("app")))).build(),
                    HttpResponse.BodyHandlers.discarding()).statusCode();
        } catch (IOException e) {
            return -1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return -1;
        }
    }
}
