package dev.hexgate.integration;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasKey;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.not;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import dev.hexgate.testing.FakeHexResource;
import dev.hexgate.testing.Keys;
import dev.hexgate.testing.NoSecretsInLogs;
import dev.hexgate.testing.OpenBaoResource;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;

/** Nango's read-only integrations API: the one integration the gateway serves, and nothing else. */
@QuarkusTest
@WithTestResource(OpenBaoResource.class)
@WithTestResource(FakeHexResource.class)
@ExtendWith(NoSecretsInLogs.class)
class IntegrationsTest {

    @Test
    void listsTheOneIntegrationInNangosEnvelope() {
        given().header("Authorization", Keys.bearer(Keys.FULL)).when().get("/integrations").then().statusCode(200)
                .body("data", hasSize(1))
                .body("data[0].unique_key", equalTo("hex"))
                .body("data[0].provider", equalTo("hex"))
                .body("data[0].display_name", equalTo("Hex"))
                .body("data[0].forward_webhooks", equalTo(false))
                .body("data[0]", not(hasKey("credentials")));
    }

    @Test
    void readsItByKeyWithOrWithoutIncludeAndAnyOtherKeyIsNotFound() {
        given().header("Authorization", Keys.bearer(Keys.FULL)).when().get("/integrations/hex").then().statusCode(200)
                .body("data.unique_key", equalTo("hex"));
        given().header("Authorization", Keys.bearer(Keys.FULL)).queryParam("include", "webhook,credentials")
                .when().get("/integrations/hex").then().statusCode(200).body("data", not(hasKey("credentials")));
        given().header("Authorization", Keys.bearer(Keys.FULL)).when().get("/integrations/github").then().statusCode(404)
                .body("error.code", equalTo("not_found"));
        given().header("Authorization", Keys.bearer(Keys.FULL)).queryParam("include", "")
                .when().get("/integrations/hex").then().statusCode(200).body("data.unique_key", equalTo("hex"));
        given().header("Authorization", Keys.bearer(Keys.FULL)).queryParam("include", "secrets")
                .when().get("/integrations/hex").then().statusCode(400).body("error.code", equalTo("invalid_query_params"));
        given().header("Authorization", Keys.bearer(Keys.FULL)).queryParam("page", "1")
                .when().get("/integrations").then().statusCode(400).body("error.code", equalTo("invalid_query_params"));
    }

    @Test
    void creatingChangingOrDeletingAnIntegrationIsRefused() {
        given().header("Authorization", Keys.bearer(Keys.FULL)).contentType("application/json").body("{\"unique_key\":\"x\"}")
                .when().post("/integrations").then().statusCode(405).header("Allow", equalTo("GET, HEAD, OPTIONS"))
                .body("error.code", equalTo("method_not_allowed"));
        given().header("Authorization", Keys.bearer(Keys.FULL)).contentType("application/json").body("{}")
                .when().patch("/integrations/hex").then().statusCode(405).body("error.code", equalTo("method_not_allowed"));
        given().header("Authorization", Keys.bearer(Keys.FULL)).when().delete("/integrations/hex").then().statusCode(405);
        given().header("Authorization", Keys.bearer(Keys.FULL)).when().get("/integrations/hex").then().statusCode(200);
    }

    @Test
    void needsAFullAccessKey() {
        given().when().get("/integrations").then().statusCode(401).body("error.code", equalTo("missing_auth_header"));
        given().header("Authorization", Keys.bearer(Keys.PROXY_ONLY)).when().get("/integrations/hex").then().statusCode(403)
                .body("error.code", equalTo("forbidden"));
    }
}
