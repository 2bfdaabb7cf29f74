package dev.hexgate.webhook;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasSize;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.hexgate.testing.Await;
import dev.hexgate.testing.ConnectFlow;
import dev.hexgate.testing.FakeHex;
import dev.hexgate.testing.FakeHexResource;
import dev.hexgate.testing.Keys;
import dev.hexgate.testing.Links;
import dev.hexgate.testing.Management;
import dev.hexgate.testing.NoSecretsInLogs;
import dev.hexgate.testing.OpenBao;
import dev.hexgate.testing.OpenBaoResource;
import dev.hexgate.testing.WebhookReceiver;
import dev.hexgate.testing.WebhookReceiver.Answer;
import dev.hexgate.testing.WebhookReceiver.Hook;
import dev.hexgate.testing.WebhookReceiverResource;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;

/**
 * Auth webhooks against a real OpenBao and a recording receiver: every event with its exact body, both signatures,
 * the delivery id and attempt number, retries of 500 and 429 (honouring Retry-After), a final 4xx, per-connection URLs,
 * and a proxied 401 that finds a dead token.
 */
@QuarkusTest
@WithTestResource(OpenBaoResource.class)
@WithTestResource(FakeHexResource.class)
@WithTestResource(WebhookReceiverResource.class)
@ExtendWith(NoSecretsInLogs.class)
class WebhooksTest {

    private static final Duration WAIT = Duration.ofSeconds(20);
    private static final String KEY = WebhookReceiverResource.SIGNING_KEY;
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern CONNECTION_ID = Pattern.compile("\"connectionId\":\"([^\"]+)\"");

    OpenBao vault;
    FakeHex hex;
    WebhookReceiver receiver;

    @BeforeEach
    void reset() {
        Await.until(() -> pendingDeliveries() == 0, WAIT);
        vault.clear();
        hex.clearReceived();
        hex.clearFaults();
        receiver.clear();
    }

    @Test
    void aLinkSendsCreationThenOverrideAndADeleteSendsDeletionSignedAsNangoSignsThem() {
        String token = hex.personalToken("app");
        Links.linked("wh-1", "app", token);
        Hook creation = one(WebhookReceiver.operation("creation", "wh-1"));
        assertEquals("{\"authMode\":\"API_KEY\",\"connectionId\":\"wh-1\",\"environment\":\"prod\",\"from\":\"nango\","
                + "\"operation\":\"creation\",\"provider\":\"hex\",\"providerConfigKey\":\"hex\",\"success\":true,"
                + "\"tags\":{\"env\":\"test\"},\"type\":\"auth\"}", creation.body());
        assertEquals(WebhookReceiverResource.PATH, creation.path());
        assertEquals("application/json", creation.header("Content-Type"));
        assertEquals(hmac(KEY, creation.body()), creation.header("X-Nango-Hmac-Sha256"));
        assertEquals(sha256(KEY + creation.body()), creation.header("X-Nango-Signature"));
        assertNotEquals(hmac("whsk-previous-key-0000000000", creation.body()), creation.header("X-Nango-Hmac-Sha256"),
                "the first key signs");
        assertEquals("1", creation.header("X-Hexgate-Attempt"));
        assertTrue(creation.delivery().matches("\\d{13}-[0-9a-f]{16}"), creation.delivery());

        Links.linked("wh-1", "app", hex.personalToken("app"));
        Hook override = one(WebhookReceiver.operation("override", "wh-1"));
        assertEquals("{\"authMode\":\"API_KEY\",\"connectionId\":\"wh-1\",\"environment\":\"prod\",\"from\":\"nango\","
                + "\"operation\":\"override\",\"provider\":\"hex\",\"providerConfigKey\":\"hex\",\"success\":true,"
                + "\"tags\":{\"env\":\"test\"},\"type\":\"auth\"}", override.body());
        assertNotEquals(creation.delivery(), override.delivery(), "each event is its own delivery");

        given().header("Authorization", Keys.bearer(Keys.FULL)).when().delete("/connections/wh-1").then().statusCode(200);
        Hook deletion = one(WebhookReceiver.operation("deletion", "wh-1"));
        assertEquals("{\"authMode\":\"API_KEY\",\"connectionId\":\"wh-1\",\"environment\":\"prod\",\"from\":\"nango\","
                + "\"operation\":\"deletion\",\"provider\":\"hex\",\"providerConfigKey\":\"hex\",\"success\":true,"
                + "\"tags\":{\"env\":\"test\"},\"type\":\"auth\"}", deletion.body());
        receiver.hooks().forEach(h -> assertFalse(h.body().contains("hxtp_") || h.toString().contains(token)
                || h.toString().contains(KEY), "no token or key in a webhook"));
        Await.until(() -> pendingDeliveries() == 0, WAIT);
        assertEquals(3, receiver.hooks().size(), "one webhook per event: " + receiver.hooks());
    }

    @Test
    void aRefusedLinkOrDeleteSendsNothing() {
        Links.link(Links.body("wh-bad", "app", FakeHex.unknownToken())).statusCode(400);
        given().header("Authorization", Keys.bearer(Keys.FULL)).when().delete("/connections/wh-none").then().statusCode(404);
        Await.until(() -> pendingDeliveries() == 0, WAIT);
        assertEquals(List.of(), receiver.hooks());
        assertEquals(List.of(), vault.list("hexgate/webhooks/pending/"), "nothing stays queued");
    }

    @Test
    void aConnectSessionLinkNamesItsEndUser() {
        String session = ConnectFlow.session("{\"end_user\":{\"id\":\"u-7\",\"email\":\"u7@example.com\"},"
                + "\"tags\":{\"team\":\"data\"}}");
        ConnectFlow.submit(session, "app", hex.personalToken("app")).then().statusCode(200);
        Hook creation = one(WebhookReceiver.operation("creation", null));
        Matcher id = CONNECTION_ID.matcher(creation.body());
        assertTrue(id.find());
        assertEquals("{\"authMode\":\"API_KEY\",\"connectionId\":\"" + id.group(1) + "\",\"endUser\":{\"endUserEmail\":"
                + "\"u7@example.com\",\"endUserId\":\"u-7\",\"tags\":{}},\"environment\":\"prod\",\"from\":\"nango\","
                + "\"operation\":\"creation\",\"provider\":\"hex\",\"providerConfigKey\":\"hex\",\"success\":true,"
                + "\"tags\":{\"team\":\"data\"},\"type\":\"auth\"}", creation.body());
    }

    @Test
    void a500ThenA429AreRetriedWithTheSameDeliveryIdAndRetryAfterIsHonoured() {
        receiver.answerNext(Answer.status(500), new Answer(429, Map.of("Retry-After", "3"), Duration.ZERO));
        Links.linked("wh-retry", "app", hex.personalToken("app"));
        List<Hook> attempts = receiver.await(WebhookReceiver.operation("creation", "wh-retry"), 3, WAIT);
        assertEquals(3, attempts.size(), "500, 429, then 200: " + attempts);
        assertEquals(List.of("1", "2", "3"), attempts.stream().map(h -> h.header("X-Hexgate-Attempt")).toList());
        assertEquals(1, WebhookReceiver.deliveries(attempts).stream().distinct().count(), "one delivery id throughout");
        long firstGap = (attempts.get(1).atNanos() - attempts.get(0).atNanos()) / 1_000_000;
        long secondGap = (attempts.get(2).atNanos() - attempts.get(1).atNanos()) / 1_000_000;
        assertTrue(firstGap >= 900 && firstGap < 5_000, "the first retry comes within 5 s: " + firstGap + " ms");
        assertTrue(secondGap >= 2_900, "Retry-After: 3 is honoured: " + secondGap + " ms");
        Await.until(() -> pendingDeliveries() == 0, WAIT);
        assertEquals(3, receiver.hooks().size(), "nothing more after the 200");
        String metrics = Management.given().get("/q/metrics").then().statusCode(200).extract().asString();
        String webhookLines = String.join("\n", metrics.lines().filter(l -> l.contains("webhook")).toList());
        assertTrue(webhookLines.contains("hexgate_webhook_deliveries_total{outcome=\"retried\"}"), webhookLines);
        assertTrue(webhookLines.contains("hexgate_webhook_pending "), webhookLines);
        assertTrue(webhookLines.contains("hexgate_webhook_pending_oldest_age_seconds "), webhookLines);
    }

    @Test
    void aReceiverThatKeepsFailingIsGivenUpOnAfterTheMaximumAge() {
        receiver.answerNext(Answer.status(503), Answer.status(503), Answer.status(503), Answer.status(503),
                Answer.status(503), Answer.status(503));
        Links.linked("wh-expired", "app", hex.personalToken("app"));
        assertTrue(Await.until(() -> pendingDeliveries() == 0, Duration.ofSeconds(45)), "the delivery ends");
        List<Hook> attempts = receiver.hooks(WebhookReceiver.operation("creation", "wh-expired"));
        assertTrue(attempts.size() >= 4 && attempts.size() <= 6, "retried with growing waits, then given up: " + attempts);
        assertTrue(attempts.stream().allMatch(h -> h.header("X-Hexgate-Attempt") != null), attempts.toString());
        assertEquals(1, WebhookReceiver.deliveries(attempts).stream().distinct().count());
        long span = (attempts.get(attempts.size() - 1).atNanos() - attempts.get(0).atNanos()) / 1_000_000;
        assertTrue(span <= Duration.parse("PT" + WebhookReceiverResource.MAX_AGE).toMillis(), "within the maximum age");
        String metrics = Management.given().get("/q/metrics").then().statusCode(200).extract().asString();
        assertTrue(metrics.contains("hexgate_webhook_deliveries_total{outcome=\"expired\"}"), "counted as expired");
    }

    @Test
    void aClientErrorEndsTheDeliveryAndRedirectsAreNotFollowed() {
        receiver.answerNext(Answer.status(400));
        Links.linked("wh-400", "app", hex.personalToken("app"));
        receiver.answerNext(new Answer(307, Map.of("Location", receiver.url("/elsewhere")), Duration.ZERO));
        Links.linked("wh-307", "app", hex.personalToken("app"));
        one(WebhookReceiver.operation("creation", "wh-400"));
        one(WebhookReceiver.operation("creation", "wh-307"));
        Await.until(() -> pendingDeliveries() == 0, WAIT);
        assertEquals(2, receiver.hooks().size(), "one attempt each, no redirect followed: " + receiver.hooks());
    }

    @Test
    void aConnectionsOwnUrlReplacesTheConfiguredOnesAndAnEmptyOneClearsIt() {
        String own = receiver.url("/own");
        Links.link(withOverride(Links.body("wh-own", "app", hex.personalToken("app")), own)).statusCode(201);
        Hook creation = one(h -> h.path().equals("/own"));
        assertTrue(creation.body().contains("\"operation\":\"creation\""));
        Links.link(Links.body("wh-own", "app", hex.personalToken("app"))).statusCode(201);
        one(h -> h.path().equals("/own") && h.body().contains("\"override\""));
        assertEquals(0, receiver.hooks(h -> h.path().equals(WebhookReceiverResource.PATH)).size(),
                "a link without the field keeps the override: " + receiver.hooks());
        Links.link(withOverride(Links.body("wh-own", "app", hex.personalToken("app")), "")).statusCode(201);
        one(h -> h.path().equals(WebhookReceiverResource.PATH) && h.body().contains("\"override\""));

        Links.link(withOverride(Links.body("wh-own", "app", hex.personalToken("app")), "ftp://example.com/x"))
                .statusCode(400).body("error.code", equalTo("invalid_body"))
                .body("error.errors[0].path", equalTo(List.of("webhook_url_override")));
        given().header("Authorization", Keys.bearer(Keys.FULL)).contentType(ContentType.JSON)
                .body("{\"end_user\":{\"id\":\"u-1\"},\"webhook_url_override\":\"not a url\"}")
                .when().post("/connect/sessions").then().statusCode(400)
                .body("error.errors[0].path", equalTo(List.of("webhook_url_override")));
    }

    @Test
    void aProxied401FindsTheDeadTokenMarksTheConnectionOnceAndARelinkClearsIt() {
        String token = hex.personalToken("app");
        Links.linked("wh-dead", "app", token);
        one(WebhookReceiver.operation("creation", "wh-dead"));
        hex.revoke(token);
        for (int i = 0; i < 3; i++) {
            given().header("Authorization", Keys.bearer(Keys.FULL)).header("Connection-Id", "wh-dead")
                    .when().get("/proxy/v1/projects").then().statusCode(401);
        }
        Hook dead = one(WebhookReceiver.operation("refresh", "wh-dead"));
        assertEquals("{\"authMode\":\"API_KEY\",\"connectionId\":\"wh-dead\",\"environment\":\"prod\",\"error\":{"
                + "\"description\":\"Hex no longer accepts this connection's API token (HTTP 401 from GET /api/v1/users/me): "
                + "it expired, was revoked, or API access was switched off. Ask its owner to reconnect.\","
                + "\"type\":\"token_invalid\"},\"from\":\"nango\",\"operation\":\"refresh\",\"provider\":\"hex\","
                + "\"providerConfigKey\":\"hex\",\"success\":false,\"tags\":{\"env\":\"test\"},\"type\":\"auth\"}",
                dead.body());
        given().header("Authorization", Keys.bearer(Keys.FULL)).when().get("/connections/wh-dead").then().statusCode(200)
                .body("errors", hasSize(1)).body("errors[0].type", equalTo("auth"))
                .body("errors[0].code", equalTo("token_invalid"));
        given().header("Authorization", Keys.bearer(Keys.FULL)).when().get("/connections?connectionId=wh-dead").then()
                .body("connections[0].errors[0].code", equalTo("token_invalid"));

        Links.linked("wh-dead", "app", hex.personalToken("app"));
        Hook alive = one(h -> WebhookReceiver.operation("refresh", "wh-dead").test(h) && h.body().contains("\"success\":true"));
        assertEquals("{\"authMode\":\"API_KEY\",\"connectionId\":\"wh-dead\",\"environment\":\"prod\",\"from\":\"nango\","
                + "\"operation\":\"refresh\",\"provider\":\"hex\",\"providerConfigKey\":\"hex\",\"success\":true,"
                + "\"tags\":{\"env\":\"test\"},\"type\":\"auth\"}", alive.body());
        given().header("Authorization", Keys.bearer(Keys.FULL)).when().get("/connections/wh-dead").then()
                .body("errors", hasSize(0));
        Await.until(() -> pendingDeliveries() == 0, WAIT);
        assertEquals(1, receiver.hooks(h -> h.body().contains("\"success\":false")).size(),
                "three 401s, one refresh/false: " + receiver.hooks());
    }

    @Test
    void aDeliveryNoRequestConfirmedIsSentOnlyIfItsChangeWasMade() {
        // What a replica that died between queueing and answering leaves: entries nobody confirmed. One reports a link
        // that was made (the connection is there at version 1), the other one that was not.
        Links.linked("wh-orphan", "app", hex.personalToken("app"));
        one(WebhookReceiver.operation("creation", "wh-orphan"));
        long past = System.currentTimeMillis() - Webhooks.GRACE.toMillis() - 1000;
        orphan(String.format("%013d-%s", past, "00000000000000a1"), "wh-orphan", "{\"orphan\":\"made\"}", past);
        orphan(String.format("%013d-%s", past, "00000000000000a2"), "wh-never", "{\"orphan\":\"not made\"}", past);
        Hook made = one(h -> h.body().startsWith("{\"orphan\""));
        assertEquals("{\"orphan\":\"made\"}", made.body());
        assertTrue(Await.until(() -> pendingDeliveries() == 0, WAIT), "the other is dropped");
        assertEquals(0, receiver.hooks(h -> h.body().contains("not made")).size());
    }

    private void orphan(String id, String connectionId, String body, long at) {
        ObjectNode entry = JSON.createObjectNode().put("url", receiver.url(WebhookReceiverResource.PATH)).put("body", body)
                .put("operation", "creation").put("connection_id", connectionId).put("condition", "written")
                .put("version", "1").put("created_at", Long.toString(at)).put("next_at", Long.toString(at))
                .put("attempts", "0").put("claimed_until", "0").put("confirmed", "false");
        vault.put("hexgate/webhooks/pending/" + id, entry);
    }

    private static String withOverride(String body, String url) {
        return body.substring(0, body.length() - 1) + ",\"webhook_url_override\":\"" + url + "\"}";
    }

    private Hook one(Predicate<Hook> filter) {
        List<Hook> found = receiver.await(filter, 1, WAIT);
        assertEquals(1, found.size(), "exactly one: " + receiver.hooks());
        return found.get(0);
    }

    private int pendingDeliveries() {
        return vault.list("hexgate/webhooks/pending/").size();
    }

    private static String hmac(String key, String body) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(key.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
            return HexFormat.of().formatHex(mac.doFinal(body.getBytes(StandardCharsets.UTF_8)));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static String sha256(String text) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
