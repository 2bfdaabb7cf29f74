package dev.hexgate.connectui;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.nullValue;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import dev.hexgate.testing.ConnectFlow;
import dev.hexgate.testing.FakeHex;
import dev.hexgate.testing.FakeHexResource;
import dev.hexgate.testing.Keys;
import dev.hexgate.testing.Links;
import dev.hexgate.testing.NoSecretsInLogs;
import dev.hexgate.testing.OpenBao;
import dev.hexgate.testing.OpenBaoResource;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.specification.RequestSpecification;

/**
 * The session token's own API, as {@code @nangohq/frontend} calls it ({@code GET /connect/session}, headless
 * {@code POST /api-auth/api-key/{key}}), and reconnect sessions: every refusal is Nango's JSON and changes nothing.
 */
@QuarkusTest
@WithTestResource(OpenBaoResource.class)
@WithTestResource(FakeHexResource.class)
@ExtendWith(NoSecretsInLogs.class)
class SessionApiTest {

    OpenBao vault;
    FakeHex hex;

    @BeforeEach
    void reset() {
        vault.clear();
        hex.clearReceived();
    }

    private static RequestSpecification backend() {
        return given().header("Authorization", Keys.bearer(Keys.FULL)).contentType(ContentType.JSON);
    }

    private static RequestSpecification headless(String token, String subdomain, String body) {
        RequestSpecification request = given().contentType(ContentType.JSON).body(body).urlEncodingEnabled(false);
        if (token != null) {
            request.queryParam("connect_session_token", token);
        }
        if (subdomain != null) {
            request.queryParam("params[subdomain]", subdomain);
        }
        return request;
    }

    private static String apiKey(String token) {
        return "{\"apiKey\":\"" + token + "\"}";
    }

    private String reconnect(String body) {
        return backend().body(body).when().post("/connect/sessions/reconnect").then().statusCode(201)
                .body("data.connect_link", containsString("/connect?session_token=")).extract().path("data.token");
    }

    private void proxiesWith(String connectionId, String token) {
        given().header("Authorization", Keys.bearer(Keys.FULL)).header("Connection-Id", connectionId)
                .header("Provider-Config-Key", "hex").when().get("/proxy/v1/projects").then().statusCode(200);
        assertEquals("Bearer " + token, hex.last().header("Authorization"));
    }

    @Test
    void describesTheSessionInNangosShapeToItsBearerOnly() {
        String token = ConnectFlow.session("{\"end_user\":{\"id\":\"u-5\",\"email\":\"eve@example.com\"},"
                + "\"integrations_config_defaults\":{\"hex\":{\"connection_config\":{\"subdomain\":\"eu\"}}}}");
        given().header("Authorization", "Bearer " + token).when().get("/connect/session").then().statusCode(200)
                .header("Access-Control-Allow-Origin", nullValue())
                .body("data.endUser.id", equalTo("u-5")).body("data.endUser.email", equalTo("eve@example.com"))
                .body("data.allowed_integrations", equalTo(List.of("hex")))
                .body("data.integrations_config_defaults.hex.connection_config.subdomain", equalTo("eu"))
                .body("data.isReconnecting", equalTo(false))
                .body(not(containsString(token)));

        given().when().get("/connect/session").then().statusCode(401).body("error.code", equalTo("missing_auth_header"));
        given().header("Authorization", "Bearer nonsense").when().get("/connect/session").then().statusCode(401)
                .body("error.code", equalTo("invalid_connect_session_token_format"));
        given().header("Authorization", "Bearer " + Keys.FULL).when().get("/connect/session").then().statusCode(401)
                .body("error.code", equalTo("invalid_connect_session_token_format"));
        given().header("Authorization", "Bearer hexgate_connect_session_" + "0".repeat(64)).when().get("/connect/session")
                .then().statusCode(401).body("error.code", equalTo("unknown_connect_session_token"));
        given().header("Authorization", "Bearer " + token).queryParam("x", "1").when().get("/connect/session").then()
                .statusCode(400).body("error.code", equalTo("invalid_query_params"));
    }

    @Test
    void headlessAuthRefusesBadInputWithNangosCodesAndChangesNothing() {
        String token = ConnectFlow.session("{\"end_user\":{\"id\":\"u-6\"}}");
        String good = hex.personalToken("app");
        headless(null, "app", apiKey(good)).when().post("/api-auth/api-key/hex").then().statusCode(401)
                .body("error.code", equalTo("invalid_connect_session_token_format"));
        headless("hexgate_connect_session_" + "1".repeat(64), "app", apiKey(good)).when().post("/api-auth/api-key/hex")
                .then().statusCode(401).body("error.code", equalTo("unknown_connect_session_token"));
        headless(token, "app", apiKey(good)).queryParam("connection_id", "mine").when().post("/api-auth/api-key/hex")
                .then().statusCode(400).body("error.code", equalTo("invalid_query_params"));
        headless(token, "app", apiKey(good)).queryParam("public_key", "x").when().post("/api-auth/api-key/hex")
                .then().statusCode(400).body("error.code", equalTo("invalid_query_params"));
        headless(token, "app", apiKey(good)).when().post("/api-auth/api-key/github").then().statusCode(404)
                .body("error.code", equalTo("unknown_provider_config"));
        headless(token, "App.Hex.Tech", apiKey(good)).when().post("/api-auth/api-key/hex").then().statusCode(400)
                .body("error.code", equalTo("invalid_body")).body("error.errors[0].path[0]", equalTo("params[subdomain]"));
        headless(token, null, apiKey(good)).when().post("/api-auth/api-key/hex").then().statusCode(400)
                .body("error.code", equalTo("invalid_body"));
        headless(token, "app", apiKey("hxtp_short")).when().post("/api-auth/api-key/hex").then().statusCode(400)
                .body("error.code", equalTo("invalid_body")).body(not(containsString("hxtp_short")));
        headless(token, "app", "{\"apiKey\":\"" + good + "\",\"extra\":1}").when().post("/api-auth/api-key/hex").then()
                .statusCode(400);
        headless(token, "app", "{}").when().post("/api-auth/api-key/hex").then().statusCode(400);
        given().contentType(ContentType.TEXT).body(good).queryParam("connect_session_token", token)
                .when().post("/api-auth/api-key/hex").then().statusCode(415);
        headless(token, "app", apiKey(FakeHex.unknownToken())).when().post("/api-auth/api-key/hex").then().statusCode(400)
                .body("error.code", equalTo("connection_test_failed"));
        backend().queryParam("endUserId", "u-6").when().get("/connections").then().statusCode(200)
                .body("connections", hasSize(0));

        String id = headless(token, "app", apiKey(good)).when().post("/api-auth/api-key/hex").then().statusCode(200)
                .body("providerConfigKey", equalTo("hex")).body(not(containsString(good))).extract().path("connectionId");
        backend().queryParam("endUserId", "u-6").when().get("/connections").then().statusCode(200)
                .body("connections", hasSize(1)).body("connections[0].connection_id", equalTo(id));
        proxiesWith(id, good);
        headless(token, "app", apiKey(hex.personalToken("app"))).when().post("/api-auth/api-key/hex").then()
                .statusCode(401).body("error.code", equalTo("unknown_connect_session_token"))
                .body("error.message", containsString("already been used"));
    }

    @Test
    void aReconnectReplacesTheTokenAndKeepsIdMetadataTagsAndEndUser() {
        String old = hex.personalToken("app");
        Links.linked("re-1", "app", old);
        String created = backend().when().get("/connections/re-1").then().extract().path("created_at");
        String token = reconnect("{\"connection_id\":\"re-1\",\"integration_id\":\"hex\"}");
        given().header("Authorization", "Bearer " + token).when().get("/connect/session").then().statusCode(200)
                .body("data.isReconnecting", equalTo(true)).body("data.endUser.id", equalTo("user-1"))
                .body("data.integrations_config_defaults.hex.connection_config.subdomain", equalTo("app"));
        ConnectFlow.open(token).then().statusCode(200).body(containsString("Reconnect your Hex account"));

        String fresh = hex.personalToken("app");
        ConnectFlow.submit(token, "eu", fresh).then().statusCode(200)
                .body(containsString("Your Hex account is reconnected")).body(containsString("app.hex.tech"));
        backend().when().get("/connections/re-1").then().statusCode(200)
                .body("connection_config.subdomain", equalTo("app"))
                .body("metadata.team", equalTo("finance")).body("tags.env", equalTo("test"))
                .body("end_user.id", equalTo("user-1")).body("created_at", equalTo(created));
        proxiesWith("re-1", fresh);
        assertEquals(1, vault.readableVersions("hexgate/connections/re-1").size(), "the old token's version is destroyed");
        ConnectFlow.open(token).then().statusCode(410);

        // Tags given to the reconnect session replace the connection's; headless nango.auth() reconnects too.
        String tagged = reconnect("{\"connection_id\":\"re-1\",\"integration_id\":\"hex\",\"tags\":{\"plan\":\"team\"},"
                + "\"end_user\":{\"id\":\"someone-else\"}}");
        String third = hex.personalToken("app");
        headless(tagged, null, apiKey(third)).when().post("/api-auth/api-key/hex").then().statusCode(200)
                .body("connectionId", equalTo("re-1"));
        backend().when().get("/connections/re-1").then().statusCode(200)
                .body("tags.plan", equalTo("team")).body("tags.env", nullValue())
                .body("end_user.id", equalTo("user-1")).body("metadata.team", equalTo("finance"));
        proxiesWith("re-1", third);
    }

    @Test
    void refusesAReconnectSessionForAnUnknownConnectionAsNango() {
        Links.linked("re-2", "app", hex.personalToken("app"));
        for (String body : new String[] { "{\"connection_id\":\"nope\",\"integration_id\":\"hex\"}",
                "{\"connection_id\":\"re-2\",\"integration_id\":\"github\"}" }) {
            backend().body(body).when().post("/connect/sessions/reconnect").then().statusCode(400)
                    .body("error.code", equalTo("invalid_body"))
                    .body("error.message", equalTo("ConnectionID or IntegrationId does not exists"));
        }
        for (String body : new String[] { "{\"integration_id\":\"hex\"}", "{\"connection_id\":\"re-2\"}",
                "{\"connection_id\":\"re-2\",\"integration_id\":\"hex\",\"unknown\":1}",
                "{\"connection_id\":\"re-2\",\"integration_id\":\"hex\",\"webhook_url_override\":\"ftp://x\"}" }) {
            backend().body(body).when().post("/connect/sessions/reconnect").then().statusCode(400);
        }
        backend().body("{\"connection_id\":\"re-2\",\"integration_id\":\"hex\"}").queryParam("a", "b")
                .when().post("/connect/sessions/reconnect").then().statusCode(400)
                .body("error.code", equalTo("invalid_query_params"));
        given().contentType(ContentType.JSON).body("{\"connection_id\":\"re-2\",\"integration_id\":\"hex\"}")
                .when().post("/connect/sessions/reconnect").then().statusCode(401);
    }

    @Test
    void aReconnectOfADeletedConnectionSavesNothingAndKeepsTheSession() {
        Links.linked("re-3", "app", hex.personalToken("app"));
        String token = reconnect("{\"connection_id\":\"re-3\",\"integration_id\":\"hex\"}");
        backend().when().delete("/connections/re-3").then().statusCode(200);
        headless(token, null, apiKey(hex.personalToken("app"))).when().post("/api-auth/api-key/hex").then()
                .statusCode(400).body("error.code", equalTo("invalid_connection"));
        ConnectFlow.submit(token, "app", hex.personalToken("app")).then().statusCode(404)
                .body(containsString("has been deleted"));
        backend().when().get("/connections/re-3").then().statusCode(404);
        ConnectFlow.open(token).then().statusCode(200);
    }
}
