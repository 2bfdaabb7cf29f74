package dev.hexgate.ops;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.not;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import dev.hexgate.testing.Await;
import dev.hexgate.testing.FakeHex;
import dev.hexgate.testing.FakeHexResource;
import dev.hexgate.testing.Keys;
import dev.hexgate.testing.Links;
import dev.hexgate.testing.Management;
import dev.hexgate.testing.NoSecretsInLogs;
import dev.hexgate.testing.OpenBaoResource;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;

/**
 * What operators rely on: metrics without identifiers, the expiring-token gauge, OpenAPI, all on the management port.
 */
@QuarkusTest
@WithTestResource(OpenBaoResource.class)
@WithTestResource(FakeHexResource.class)
@ExtendWith(NoSecretsInLogs.class)
class OperationsTest {

    FakeHex hex;

    @Inject
    ExpiringTokens expiring;

    @Test
    void countsConnectionsWhoseTokenExpiresWithinAWeek() {
        Links.linked("expires-soon", "app", hex.personalTokenExpiringIn("app", 3 * 86400));
        Links.linked("expires-later", "app", hex.personalTokenExpiringIn("app", 30 * 86400));
        Links.linked("never-expires", "app", hex.workspaceToken("app"));
        expiring.recount().await().indefinitely();
        assertTrue(Await.until(
                () -> Management.given().when().get("/q/metrics").asString().contains("hexgate_connections_expiring 1.0"),
                Duration.ofSeconds(10)), "gauge counts exactly the connection expiring in 3 days");
    }

    @Test
    void exposesMetricsWithoutConnectionIdsTokensOrKeys() {
        Links.linked("metric-secret-name", "app", hex.personalToken("app"));
        given().header("Authorization", Keys.bearer(Keys.FULL)).header("Connection-Id", "metric-secret-name")
                .when().get("/proxy/v1/projects").then().statusCode(200);
        given().header("Authorization", Keys.bearer(Keys.FULL)).header("Connection-Id", "metric-secret-name")
                .when().get("/proxy/v1/path-with-hxtp_0123456789abcdefPATH").then().statusCode(200);
        Management.given().when().get("/q/metrics").then().statusCode(200)
                .body(containsString("hexgate_proxy_requests_seconds_count"))
                .body(containsString("hexgate_token_cache_requests_total"))
                .body(containsString("hexgate_store_operations_seconds_count"))
                .body(not(containsString("metric-secret-name")))
                .body(not(containsString("path-with")))
                .body(not(containsString("/proxy/v1")))
                .body(containsString("uri=\"/proxy/{path}\""))
                .body(not(containsString("hxtp_")))
                .body(not(containsString(Keys.FULL)));
    }

    @Test
    void servesHealthMetricsAndOpenApiOnlyOnTheManagementPort() {
        for (String path : new String[] { "/q/health/ready", "/q/health/live", "/q/metrics", "/q/openapi" }) {
            given().when().get(path).then().statusCode(404);
            Management.given().when().get(path).then().statusCode(200);
        }
    }

    @Test
    void documentsTheBackendApiAndTheProxyInOpenApi() {
        Management.given().queryParam("format", "json").when().get("/q/openapi").then().statusCode(200)
                .body(containsString("\"/connections\""))
                .body(containsString("\"/connections/{connectionId}\""))
                .body(containsString("\"/connect/sessions\""))
                .body(containsString("\"/proxy/{path}\""))
                .body(containsString("Connection-Id"));
    }
}
