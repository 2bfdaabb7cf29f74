package dev.hexgate.webhook;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasSize;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.function.Predicate;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import dev.hexgate.testing.Await;
import dev.hexgate.testing.FakeHex;
import dev.hexgate.testing.FakeHexResource;
import dev.hexgate.testing.Keys;
import dev.hexgate.testing.Links;
import dev.hexgate.testing.NoSecretsInLogs;
import dev.hexgate.testing.OpenBao;
import dev.hexgate.testing.OpenBaoResource;
import dev.hexgate.testing.WebhookReceiver;
import dev.hexgate.testing.WebhookReceiverResource;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;

/**
 * The background re-check of stored tokens, every 2 s here: a dead token is marked and reported once, a recovered one
 * cleared and reported once, and a Hex that answers 429 or 5xx marks nothing.
 */
@QuarkusTest
@TestProfile(TokenHealthTest.CheckEveryTwoSeconds.class)
@WithTestResource(OpenBaoResource.class)
@WithTestResource(FakeHexResource.class)
@WithTestResource(WebhookReceiverResource.class)
@ExtendWith(NoSecretsInLogs.class)
class TokenHealthTest {

    private static final Duration WAIT = Duration.ofSeconds(40);
    private static final String ME = "/api/v1/users/me";

    /** HEXGATE_TOKEN_CHECK_INTERVAL=2s at the highest rate. */
    public static class CheckEveryTwoSeconds implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("hexgate.token-check.interval", "2s", "hexgate.token-check.rate", "30");
        }
    }

    OpenBao vault;
    FakeHex hex;
    WebhookReceiver receiver;

    @BeforeEach
    void reset() {
        vault.clear();
        hex.clearReceived();
        hex.clearFaults();
        receiver.clear();
    }

    @Test
    void aDeadTokenIsMarkedAndReportedOnceAndARecoveredOneIsCleared() {
        String alive = hex.personalToken("app");
        String dying = hex.personalToken("app");
        Links.linked("th-alive", "app", alive);
        Links.linked("th-dying", "app", dying);
        hex.revoke(dying);

        assertTrue(Await.until(() -> errorCount("th-dying") == 1, WAIT), "the dead token is found by the background check");
        given().header("Authorization", Keys.bearer(Keys.FULL)).when().get("/connections/th-dying").then()
                .body("errors[0].code", equalTo("token_invalid")).body("errors[0].type", equalTo("auth"));
        long checksSoFar = hex.attempts(ME);
        assertTrue(Await.until(() -> hex.attempts(ME) >= checksSoFar + 4, WAIT), "checking goes on, round after round");
        assertEquals(1, receiver.await(refresh("th-dying", false), 1, WAIT).size(),
                "found dead again and again, reported once: " + receiver.hooks());
        assertEquals(0, errorCount("th-alive"));
        assertEquals(0, receiver.hooks(h -> h.body().contains("th-alive") && h.body().contains("\"refresh\"")).size());

        hex.accept(dying, new FakeHex.TokenInfo("app", false, "back@example.com", "org-app",
                Instant.now().plusSeconds(86400).getEpochSecond(), 200));
        assertTrue(Await.until(() -> errorCount("th-dying") == 0, WAIT), "a good check clears the error");
        assertEquals(1, receiver.await(refresh("th-dying", true), 1, WAIT).size(), "and reports it once");
    }

    @Test
    void aRateLimitedOrFailingHexSaysNothingAboutTheToken() {
        Links.linked("th-busy", "app", hex.personalToken("app"));
        hex.failNext(ME, new FakeHex.Status(429, Map.of("Retry-After", "1")), new FakeHex.Status(503),
                new FakeHex.Status(500), new FakeHex.Status(429), new FakeHex.Status(502));
        long before = hex.attempts(ME);
        assertTrue(Await.until(() -> hex.attempts(ME) >= before + 5, WAIT), "the check ran into the failures");
        assertEquals(0, errorCount("th-busy"));
        given().header("Authorization", Keys.bearer(Keys.FULL)).when().get("/connections/th-busy").then().body("errors",
                hasSize(0));
        assertEquals(0, receiver.hooks(h -> h.body().contains("\"refresh\"")).size(), receiver.hooks().toString());
    }

    private static Predicate<WebhookReceiver.Hook> refresh(String id, boolean success) {
        return h -> WebhookReceiver.operation("refresh", id).test(h) && h.body().contains("\"success\":" + success);
    }

    private static int errorCount(String id) {
        return given().header("Authorization", Keys.bearer(Keys.FULL)).when().get("/connections/" + id).then()
                .statusCode(200).extract().jsonPath().getList("errors").size();
    }
}
