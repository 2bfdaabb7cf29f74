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

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

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
 * A reconnect on one replica reaches the other within the token cache's TTL, with one {@code override} webhook.
 */
class WebhookDeliveryIT {

    private static final Duration WAIT = Duration.ofSeconds(30);
    private static final Duration CACHE_TTL = Duration.ofSeconds(2);
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
                    "HEXGATE_WEBHOOK_TIMEOUT", "2s", "HEXGATE_WEBHOOK_POLL_EVERY", "1s",
                    "HEXGATE_TOKEN_CACHE_TTL", CACHE_TTL.toMillis() + "ms")));
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

    @Test
    void aReconnectOnOneReplicaReachesTheOtherWithinTheCacheTtl() throws Exception {
        String old = hex.personalToken("app");
        GatewayProcess a = replicas.get(0);
        GatewayProcess b = replicas.get(1);
        assertEquals(201, send(a, "/connections", "POST", Links.body("rc-1", "app", old), Keys.FULL).statusCode());
        assertEquals(200, proxy(b, "rc-1"));
        assertEquals("Bearer " + old, hex.last().header("Authorization"), "replica b now holds the old token");

        HttpResponse<String> session = send(a, "/connect/sessions/reconnect", "POST",
                "{\"connection_id\":\"rc-1\",\"integration_id\":\"hex\"}", Keys.FULL);
        assertEquals(201, session.statusCode(), session.body());
        String token = new ObjectMapper().readTree(session.body()).path("data").path("token").asText();
        String fresh = hex.personalToken("app");
        HttpResponse<String> auth = send(a, "/api-auth/api-key/hex?connect_session_token=" + token + "&params[subdomain]=app",
                "POST", "{\"apiKey\":\"" + fresh + "\"}", null);
        assertEquals(200, auth.statusCode(), auth.body());
        long reconnectedAt = System.nanoTime();
        assertEquals("rc-1", new ObjectMapper().readTree(auth.body()).path("connectionId").asText());

        // Once a TTL has passed since the reconnect, b's cached copy (read before it) is stale by definition: its very
        // next request must carry the new token. Slowness here only makes the check later, never wrong.
        Duration wait = CACHE_TTL.plusMillis(200).minusNanos(System.nanoTime() - reconnectedAt);
        if (!wait.isNegative()) {
            Thread.sleep(wait.toMillis() + 1);
        }
        hex.clearReceived();
        for (int i = 0; i < 5; i++) {
            proxy(a, "rc-1");
            proxy(b, "rc-1");
        }
        // Only the proxied requests: a replica's token check may call /api/v1/users/me meanwhile.
        List<FakeHex.Received> proxied = hex.received().stream().filter(r -> r.rawPath().equals("/api/v1/projects")).toList();
        assertEquals(10, proxied.size());
        assertTrue(proxied.stream().allMatch(r -> ("Bearer " + fresh).equals(r.header("Authorization"))),
                "every request, from both replicas, carries the new token; the old one is never sent again");
        List<JsonNode> versions = vault.readableVersions("hexgate/connections/rc-1");
        assertEquals(1, versions.size(), "the old token's version is gone from Vault");
        assertTrue(versions.get(0).toString().contains(fresh) && !versions.get(0).toString().contains(old));

        List<Hook> overrides = receiver.await(WebhookReceiver.operation("override", "rc-1"), 1, WAIT);
        assertEquals(1, overrides.size(), overrides.toString());
        JsonNode body = new ObjectMapper().readTree(overrides.get(0).body());
        assertTrue(body.path("success").asBoolean(), body.toString());
        HttpResponse<String> read = send(b, "/connections/rc-1", "GET", null, Keys.FULL);
        JsonNode connection = new ObjectMapper().readTree(read.body());
        assertEquals("finance", connection.path("metadata").path("team").asText(), "metadata kept: " + connection);
        assertEquals("test", connection.path("tags").path("env").asText(), "tags kept: " + connection);
        assertEquals("user-1", connection.path("end_user").path("id").asText(), "end user kept: " + connection);
    }

    private int proxy(GatewayProcess replica, String connectionId) {
        try {
            return CLIENT.send(HttpRequest.newBuilder(replica.uri("/proxy/v1/projects"))
                    .header("Authorization", Keys.bearer(Keys.FULL)).header("Connection-Id", connectionId)
                    .header("Provider-Config-Key", "hex").GET().build(), HttpResponse.BodyHandlers.discarding())
                    .statusCode();
        } catch (IOException e) {
            return -1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return -1;
        }
    }

    private static HttpResponse<String> send(GatewayProcess replica, String path, String method, String body, String key)
            throws IOException, InterruptedException {
        HttpRequest.Builder request = HttpRequest.newBuilder(replica.uri(path)).header("Content-Type", "application/json")
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        if (key != null) {
            request.header("Authorization", Keys.bearer(key));
        }
        return CLIENT.send(request.build(), HttpResponse.BodyHandlers.ofString());
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
