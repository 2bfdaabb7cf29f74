package dev.hexgate.store;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.time.Duration;

import jakarta.inject.Inject;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import com.fasterxml.jackson.databind.JsonNode;

import dev.hexgate.testing.FakeHex;
import dev.hexgate.testing.FakeHexResource;
import dev.hexgate.testing.Keys;
import dev.hexgate.testing.Links;
import dev.hexgate.testing.Management;
import dev.hexgate.testing.NoSecretsInLogs;
import dev.hexgate.testing.OpenBao;
import dev.hexgate.testing.OpenBaoResource;
import dev.hexgate.testing.TestClock;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;

/** Vault sealed or gone: cached tokens keep flowing for a bounded time, writes fail cleanly, nothing is lost. */
@QuarkusTest
@TestProfile(ShortCacheProfile.class)
@WithTestResource(OpenBaoResource.class)
@WithTestResource(FakeHexResource.class)
@ExtendWith(NoSecretsInLogs.class)
class StoreOutageTest {

    OpenBao vault;

    FakeHex hex;

    @Inject
    TestClock clock;
    private boolean wentDown;
    private boolean limited;
    private boolean revoked;

    @BeforeEach
    void link() {
        Links.linked("outage-1", "app", hex.personalToken("app"));
        Links.linked("outage-2", "app", hex.personalToken("app"));
    }

    @AfterEach
    void restore() throws IOException {
        clock.reset();
        if (wentDown) {
            vault.up();
            wentDown = false;
        }
        vault.sealed(false);
        if (revoked) {
            vault.restoreGatewayToken();
            revoked = false;
        }
        if (limited) {
            vault.rateLimited(false);
            limited = false;
        }
    }

    private static int proxy(String connectionId) {
        return given().header("Authorization", Keys.bearer(Keys.FULL)).header("Connection-Id", connectionId)
                .when().get("/proxy/v1/projects").then().extract().statusCode();
    }

    /** Moves the gateway's clock: cache ages are read from it, so nothing waits. */
    private void waitPast(long millis) {
        clock.advance(Duration.ofMillis(millis));
    }

    @Test
    void servesACachedTokenWhileVaultIsDownThenStops() {
        // Written by another replica: this one has never held its token.
        vault.put("hexgate/connections/elsewhere", vault.latest("hexgate/connections/outage-1"));
        assertEquals(200, proxy("outage-1"));
        vault.down();
        wentDown = true;
        waitPast(ShortCacheProfile.TTL_MS + 50);
        assertEquals(200, proxy("outage-1"), "past its TTL, the token is used stale while Vault is unreachable");
        given().header("Authorization", Keys.bearer(Keys.FULL)).header("Connection-Id", "elsewhere")
                .when().get("/proxy/v1/projects").then().statusCode(503).body("error.code", equalTo("store_unavailable"));
        Management.given().when().get("/q/health/group/store").then().statusCode(503)
                .body("checks.find { it.name == 'connection-store' }.data.reason", containsString("unreachable"));
        Management.given().when().get("/q/health/ready").then().statusCode(200)
                .body("checks.find { it.name == 'connection-store' }.data.store_up", equalTo(false));
        Management.given().when().get("/q/metrics").then()
                .body(containsString("hexgate_token_cache_requests_total{result=\"stale\"}"))
                .body(containsString("hexgate_store_operations_seconds_count{op=\"read\",outcome=\"error\"}"));
        waitPast(ShortCacheProfile.STALE_MS);
        assertEquals(503, proxy("outage-1"), "past HEXGATE_TOKEN_CACHE_STALE_IF_ERROR the token is no longer used");
    }

    @Test
    void refusesWritesWhileVaultIsSealedAndLosesNothing() {
        JsonNode before = vault.latest("hexgate/connections/outage-1");
        vault.sealed(true);
        Links.link(Links.body("outage-1", "app", hex.personalToken("app"))).statusCode(503)
                .body("error.code", equalTo("store_unavailable"));
        given().header("Authorization", Keys.bearer(Keys.FULL)).when().delete("/connections/outage-1").then().statusCode(503);
        given().header("Authorization", Keys.bearer(Keys.FULL)).contentType("application/json")
                .body("{\"end_user\":{\"id\":\"u\"}}").when().post("/connect/sessions").then().statusCode(503);
        vault.sealed(false);
        assertEquals(before, vault.latest("hexgate/connections/outage-1"));
        assertEquals(200, proxy("outage-1"));
    }

    @Test
    void answers503WhileAVaultQuotaRateLimitsItAndLosesNothing() {
        JsonNode before = vault.latest("hexgate/connections/outage-1");
        vault.rateLimited(true);
        limited = true;
        given().header("Authorization", Keys.bearer(Keys.FULL)).when().get("/connections").then().statusCode(503)
                .body("error.code", equalTo("store_unavailable"));
        Links.link(Links.body("outage-1", "app", hex.personalToken("app"))).statusCode(503)
                .body("error.code", equalTo("store_unavailable"));
        Management.given().when().get("/q/health/group/store").then().statusCode(503)
                .body("checks.find { it.name == 'connection-store' }.data.reason", containsString("429 rate-limited"));
        vault.rateLimited(false);
        limited = false;
        assertEquals(before, vault.latest("hexgate/connections/outage-1"), "the refused link changed nothing");
        Management.given().when().get("/q/health/ready").then().statusCode(200);
        assertEquals(200, proxy("outage-1"));
    }

    @Test
    void aRevokedStaticTokenFailsWritesCleanlyTellsTheOperatorAndKeepsCachedTrafficFlowing() {
        assertEquals(200, proxy("outage-1"));
        JsonNode before = vault.latest("hexgate/connections/outage-1");
        vault.revokeGatewayToken();
        revoked = true;
        Links.link(Links.body("outage-1", "app", hex.personalToken("app"))).statusCode(503)
                .body("error.code", equalTo("store_unavailable"));
        waitPast(ShortCacheProfile.TTL_MS + 50);
        assertEquals(200, proxy("outage-1"), "a cached token is still used, within HEXGATE_TOKEN_CACHE_STALE_IF_ERROR");
        Management.given().when().get("/q/health/group/store").then().statusCode(503)
                .body("checks.find { it.name == 'connection-store' }.data.reason", containsString("permission denied"));
        Management.given().when().get("/q/metrics").then().body(containsString("hexgate_store_up 0.0"));
        assertEquals(before, vault.latest("hexgate/connections/outage-1"), "the refused link changed nothing");
        waitPast(ShortCacheProfile.STALE_MS);
        assertEquals(503, proxy("outage-1"));
    }

    @Test
    void recoversWhenVaultComesBack() throws IOException {
        vault.down();
        wentDown = true;
        given().header("Authorization", Keys.bearer(Keys.FULL)).when().get("/connections").then().statusCode(503);
        vault.up();
        wentDown = false;
        given().header("Authorization", Keys.bearer(Keys.FULL)).when().get("/connections").then().statusCode(200);
        Management.given().when().get("/q/health/ready").then().statusCode(200);
    }

    @Test
    void stopsUsingATokenDeletedByAnotherReplicaWithinTheTtl() {
        assertEquals(200, proxy("outage-2"));
        vault.remove("hexgate/connections/outage-2");
        waitPast(ShortCacheProfile.TTL_MS + 50);
        assertEquals(404, proxy("outage-2"));
    }
}
