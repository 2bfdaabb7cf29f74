package dev.hexgate.health;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;

import java.time.Duration;

import jakarta.inject.Inject;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import dev.hexgate.testing.FakeHexResource;
import dev.hexgate.testing.Management;
import dev.hexgate.testing.NoSecretsInLogs;
import dev.hexgate.testing.OpenBao;
import dev.hexgate.testing.OpenBaoResource;
import dev.hexgate.testing.TestClock;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;

/** Readiness through a long store outage; moves the gateway's clock, so it runs in the test JVM only. */
@QuarkusTest
@WithTestResource(OpenBaoResource.class)
@WithTestResource(FakeHexResource.class)
@ExtendWith(NoSecretsInLogs.class)
class ReadinessGraceTest {

    OpenBao vault;
    @Inject
    TestClock clock;

    @AfterEach
    void unseal() {
        clock.reset();
        vault.sealed(false);
    }

    @Test
    void goesUnreadyOnceTheOutageOutlastsStaleIfErrorAndNoTokenIsLeft() {
        vault.sealed(true);
        Management.given().when().get("/q/health/ready").then().statusCode(200);
        // Past TTL + stale-if-error every cached token has expired, and the outage is older than the grace.
        clock.advance(Duration.ofMinutes(16));
        Management.given().when().get("/q/health/ready").then().statusCode(503).body("status", equalTo("DOWN"))
                .body("checks.find { it.name == 'connection-store' }.data.cached_connections", equalTo(0))
                .body("checks.find { it.name == 'connection-store' }.data.reason", containsString("sealed"));
        vault.sealed(false);
        Management.given().when().get("/q/health/ready").then().statusCode(200).body("status", equalTo("UP"));
        Management.given().when().get("/q/health/group/store").then().statusCode(200);
    }
}
