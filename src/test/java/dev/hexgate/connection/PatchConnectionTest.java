package dev.hexgate.connection;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.nullValue;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import dev.hexgate.testing.FakeHex;
import dev.hexgate.testing.FakeHexResource;
import dev.hexgate.testing.Keys;
import dev.hexgate.testing.Links;
import dev.hexgate.testing.NoSecretsInLogs;
import dev.hexgate.testing.OpenBaoResource;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.ValidatableResponse;
import io.restassured.specification.RequestSpecification;

/** {@code patchConnection} and the {@code tags[key]=value} list filter, as {@code @nangohq/node} sends them. */
@QuarkusTest
@WithTestResource(OpenBaoResource.class)
@WithTestResource(FakeHexResource.class)
@ExtendWith(NoSecretsInLogs.class)
class PatchConnectionTest {

    FakeHex hex;

    private static RequestSpecification backend() {
        return given().header("Authorization", Keys.bearer(Keys.FULL));
    }

    private static ValidatableResponse patch(String id, String body) {
        return backend().contentType("application/json").queryParam("provider_config_key", "hex").body(body)
                .when().patch("/connections/" + id).then();
    }

    @Test
    void changesTagsEndUserAndOverrideAsNangoAndNothingElse() {
        String token = hex.personalToken("app");
        Links.linked("patch-1", "app", token);
        patch("patch-1", "{\"tags\":{\"plan\":\"team\"}}").statusCode(200).body("success", equalTo(true));
        backend().when().get("/connections/patch-1").then().statusCode(200).body("tags.plan", equalTo("team"))
                .body("tags.env", nullValue()).body("end_user.id", equalTo("user-1")).body("metadata.team", equalTo("finance"));

        patch("patch-1", "{\"end_user\":{\"id\":\"user-2\",\"email\":\"bo@example.com\"},\"tags\":{\"plan\":\"pro\"}}")
                .statusCode(200);
        backend().when().get("/connections/patch-1").then().statusCode(200).body("end_user.id", equalTo("user-2"))
                .body("tags.end_user_id", equalTo("user-2")).body("tags.end_user_email", equalTo("bo@example.com"))
                .body("tags.plan", equalTo("pro"));
        // The end-user index follows: the connection is listed under its new end user only.
        backend().queryParam("endUserId", "user-2").when().get("/connections").then()
                .body("connections.connection_id", equalTo(List.of("patch-1")));
        backend().queryParam("endUserId", "user-1").when().get("/connections").then()
                .body("connections.connection_id", not(hasItem("patch-1")));

        patch("patch-1", "{}").statusCode(200);
        backend().when().get("/connections/patch-1").then().body("tags.plan", equalTo("pro"));
        // The token is untouched: the proxy still sends it.
        backend().header("Connection-Id", "patch-1").header("Provider-Config-Key", "hex").when()
                .get("/proxy/v1/projects").then().statusCode(200);
        assertEquals("Bearer " + token, hex.last().header("Authorization"));
    }

    @Test
    void refusesBadInputAndUnknownConnectionsChangingNothing() {
        Links.linked("patch-2", "app", hex.personalToken("app"));
        patch("never-linked", "{\"tags\":{\"a\":\"b\"}}").statusCode(404).body("error.code", equalTo("unknown_connection"));
        patch("patch-2", "{\"tags\":{\"\":\"b\"}}").statusCode(400).body("error.code", equalTo("invalid_body"));
        patch("patch-2", "{\"end_user\":{\"email\":\"x@example.com\"}}").statusCode(400);
        patch("patch-2", "{\"webhook_url_override\":\"ftp://x\"}").statusCode(400);
        patch("patch-2", "{\"tags\":{\"copy\":\"" + hex.personalToken("app") + "\"}}").statusCode(400);
        patch("patch-2", "{\"unknown\":1}").statusCode(400);
        patch("patch-2", "null").statusCode(400);
        backend().contentType("application/json").queryParam("provider_config_key", "github").body("{}")
                .when().patch("/connections/patch-2").then().statusCode(404)
                .body("error.code", equalTo("unknown_provider_config"));
        backend().contentType("application/json").queryParam("other", "1").body("{}")
                .when().patch("/connections/patch-2").then().statusCode(400)
                .body("error.code", equalTo("invalid_query_params"));
        backend().when().get("/connections/patch-2").then().body("tags.env", equalTo("test")).body("end_user.id",
                equalTo("user-1"));
    }

    @Test
    void listsByTagsAsTheSdkSendsThem() {
        for (int i = 0; i < 5; i++) {
            Links.link(Links.body("tagged-" + i, "app", hex.personalToken("app"))
                    .replace("\"env\":\"test\"", "\"Team\":\"" + (i % 2 == 0 ? "red" : "blue") + "\",\"env\":\"t" + i + "\""))
                    .statusCode(201);
        }
        backend().urlEncodingEnabled(false).queryParam("tags[team]", "red").when().get("/connections").then()
                .statusCode(200).body("connections.connection_id", equalTo(List.of("tagged-0", "tagged-2", "tagged-4")));
        backend().urlEncodingEnabled(false).queryParam("tags[team]", "red").queryParam("limit", "2").queryParam("page", "1")
                .when().get("/connections").then().statusCode(200)
                .body("connections.connection_id", equalTo(List.of("tagged-4")));
        backend().urlEncodingEnabled(false).queryParam("tags[team]", "red").queryParam("tags[env]", "t2")
                .when().get("/connections").then().body("connections.connection_id", equalTo(List.of("tagged-2")));
        backend().urlEncodingEnabled(false).queryParam("tags[team]", "RED").when().get("/connections").then()
                .body("connections", hasSize(0));
        backend().urlEncodingEnabled(false).queryParam("tags[team]", "red").queryParam("page", "20000").when()
                .get("/connections").then().statusCode(200).body("connections", hasSize(0));
        backend().urlEncodingEnabled(false).queryParam("tags[]", "red").when().get("/connections").then().statusCode(200)
                .body("connections", hasSize(0));
        for (String malformed : new String[] { "tags", "tags[a][b]", "tags[a]b]" }) {
            backend().urlEncodingEnabled(false).queryParam(malformed, "red").when().get("/connections").then().statusCode(400)
                    .body("error.code", equalTo("invalid_query_params"));
        }
    }
}
