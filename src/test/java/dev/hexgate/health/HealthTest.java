package dev.hexgate.health;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.not;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import dev.hexgate.testing.FakeHexResource;
import dev.hexgate.testing.Management;
import dev.hexgate.testing.NoSecretsInLogs;
import dev.hexgate.testing.OpenBao;
import dev.hexgate.testing.OpenBaoResource;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;

@QuarkusTest
@WithTestResource(OpenBaoResource.class)
@WithTestResource(FakeHexResource.class)
@ExtendWith(NoSecretsInLogs.class)
class HealthTest {

    OpenBao vault;

    @AfterEach
    void unseal() {
        vault.sealed(false);
        vault.denyAll(false);
    }

    @Test
    void isLiveAndReadyWhileVaultAnswers() {
        Management.given().when().get("/q/health/live").then().statusCode(200).body("status", equalTo("UP"));
        Management.given().when().get("/q/health/ready").then().statusCode(200).body("status", equalTo("UP"))
                .body("checks.find { it.name == 'connection-store' }.data.store", equalTo("vault"));
    }

    @Test
    void staysReadyThroughAShortVaultOutageAndReportsItInTheStoreGroup() {
        vault.sealed(true);
        Management.given().when().get("/q/health/ready").then().statusCode(200).body("status", equalTo("UP"))
                .body("checks.find { it.name == 'connection-store' }.data.store_up", equalTo(false))
                .body("checks.find { it.name == 'connection-store' }.data.reason", containsString("sealed"));
        Management.given().when().get("/q/health/group/store").then().statusCode(503).body("status", equalTo("DOWN"))
                .body("checks.find { it.name == 'connection-store' }.data.reason", containsString("sealed"));
        Management.given().when().get("/q/metrics").then().body(containsString("hexgate_store_up 0.0"));
        Management.given().when().get("/q/health/live").then().statusCode(200);
    }

    @Test
    void explainsAPolicyDenialWithoutVaultsRawText() {
        vault.denyAll(true);
        Management.given().when().get("/q/health/group/store").then().statusCode(503)
                .body("checks.find { it.name == 'connection-store' }.data.reason", containsString("policy"))
                .body(not(containsString("1 error occurred")));
    }
}
