package dev.hexgate.proxy;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.hexgate.testing.FakeHex;
import dev.hexgate.testing.Keys;
import dev.hexgate.testing.Links;
import dev.hexgate.testing.NoSecretsInLogs;
import dev.hexgate.testing.OpenBao;
import dev.hexgate.testing.OpenBaoResource;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;

/** Hex refuses connections: linking and proxying answer 502 and store nothing. */
@QuarkusTest
@TestProfile(UnreachableHexProfile.class)
@WithTestResource(OpenBaoResource.class)
@ExtendWith(NoSecretsInLogs.class)
class UnreachableHexTest {

    OpenBao vault;

    @Test
    void answers502WhenLinkingAndStoresNothing() {
        Links.link(Links.body("down-1", "app", FakeHex.unknownToken())).statusCode(502)
                .body("error.code", equalTo("upstream_unreachable"))
                .body("error.message", containsString("app.hex.tech"));
        // (The store's one-time index marker, written at start, is not this link's.)
        assertEquals(List.of(), vault.receivedMatching("POST", "/v1/").stream()
                .filter(write -> !write.path().contains("/hexgate/migrations/")).toList());
    }

    @Test
    void answers502WhenProxying() {
        ObjectNode data = new ObjectMapper().createObjectNode();
        data.put("api_key", FakeHex.unknownToken());
        data.put("connection", "{\"connection_id\":\"down-2\",\"provider_config_key\":\"hex\",\"subdomain\":\"app\","
                + "\"created_at\":\"2026-01-01T00:00:00Z\",\"updated_at\":\"2026-01-01T00:00:00Z\","
                + "\"hex\":{\"token_type\":\"personal\",\"token_hint\":\"hxtp_…0000\"}}");
        vault.put("hexgate/connections/down-2", data);
        given().header("Authorization", Keys.bearer(Keys.FULL)).header("Connection-Id", "down-2")
                .when().get("/proxy/v1/projects").then().statusCode(502)
                .body("error.code", equalTo("upstream_unreachable"));
    }
}
