package dev.hexgate.connection;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.anEmptyMap;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.notNullValue;
import static org.hamcrest.Matchers.nullValue;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import com.fasterxml.jackson.databind.JsonNode;

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
import io.restassured.response.Response;

@QuarkusTest
@WithTestResource(OpenBaoResource.class)
@WithTestResource(FakeHexResource.class)
@ExtendWith(NoSecretsInLogs.class)
class ConnectionsTest {

    OpenBao vault;
    FakeHex hex;

    @BeforeEach
    void reset() {
        vault.clear();
        hex.clearReceived();
    }

    @Test
    void linksAfterCheckingTheTokenWithHexAndStoresItOnlyInVault() {
        String token = hex.personalToken("app");
        Response response = Links.link(Links.body("acme-1", "app", token)).statusCode(201)
                .body("id", equalTo("acme-1"))
                .body("connection_id", equalTo("acme-1"))
                .body("provider_config_key", equalTo("hex"))
                .body("provider", equalTo("hex"))
                .body("connection_config.subdomain", equalTo("app"))
                .body("credentials", anEmptyMap())
                .body("errors", hasSize(0))
                .body("end_user.id", equalTo("user-1"))
                .body("metadata.team", equalTo("finance"))
                .body("tags.env", equalTo("test"))
                .body("hex.token_type", equalTo("personal"))
                .body("hex.token_hint", equalTo(token.substring(0, 5) + "…" + token.substring(token.length() - 4)))
                .body("hex.org_id", equalTo("org-app"))
                .body("hex.user_email", equalTo("analyst@example.com"))
                .body("hex.token_expires_at", notNullValue())
                .body("hex.verified_at", notNullValue())
                .extract().response();
        assertFalse(response.asString().contains(token), "the token is never echoed");

        FakeHex.Received check = hex.last();
        assertEquals("GET", check.method());
        assertEquals("/api/v1/users/me", check.rawPath());
        assertEquals("app.hex.tech", check.host());
        assertEquals("Bearer " + token, check.header("Authorization"));

        List<OpenBao.Received> writes = vault.receivedMatching("POST", "/v1/secret/data/hexgate/connections/acme-1");
        assertEquals(1, writes.size());
        OpenBao.Received write = writes.get(0);
        assertEquals(List.of("hexgate"), write.policies(), "written with the shipped policy's token, not root");
        JsonNode data = write.json().get("data");
        assertEquals(token, data.get("api_key").asText());
        assertFalse(data.get("connection").asText().contains(token), "the token is stored in one field only");
        assertTrue(data.get("connection").asText().contains("\"subdomain\":\"app\""));
    }

    @Test
    void keepsOnlyOrgAndExpiryForWorkspaceTokens() {
        String token = hex.workspaceToken("eu");
        Links.link(Links.body("ws-1", "eu", token)).statusCode(201)
                .body("hex.token_type", equalTo("workspace"))
                .body("hex.org_id", equalTo("org-eu"))
                .body("hex.user_email", nullValue())
                .body("hex.token_expires_at", nullValue());
        assertEquals("eu.hex.tech", hex.last().host());
    }

    @Test
    void linksANarrowWorkspaceTokenThatMayNotReadUsersMe() {
        String token = hex.tokenAnsweringMe("app", 403);
        Links.link(Links.body("narrow-1", "app", token)).statusCode(201)
                .body("hex.org_id", nullValue())
                .body("hex.user_email", nullValue())
                .body("hex.verified_at", notNullValue());
    }

    @Test
    void refusesATokenHexRejectsAndStoresNothing() {
        Links.link(Links.body("bad-1", "app", FakeHex.unknownToken())).statusCode(400)
                .body("error.code", equalTo("connection_test_failed"))
                .body("error.message", containsString("app.hex.tech"));
        assertTrue(vault.receivedMatching("POST", "/v1/").isEmpty());
    }

    @Test
    void refusesATokenUsedOnAnotherSubdomain() {
        String euToken = hex.personalToken("eu");
        Links.link(Links.body("wrong-sub", "app", euToken)).statusCode(400)
                .body("error.code", equalTo("connection_test_failed"));
        assertTrue(vault.receivedMatching("POST", "/v1/").isEmpty());
    }

    @Test
    void passesOnHexRateLimitWithRetryAfter() {
        Links.link(Links.body("rl-1", "app", hex.tokenAnsweringMe("app", 429))).statusCode(429)
                .header("Retry-After", "30")
                .body("error.code", equalTo("upstream_rate_limited"));
        assertTrue(vault.receivedMatching("POST", "/v1/").isEmpty());
    }

    @Test
    void reportsHexServerErrorsAsUnreachable() {
        Links.link(Links.body("err-1", "app", hex.tokenAnsweringMe("app", 500))).statusCode(502)
                .body("error.code", equalTo("upstream_unreachable"));
        assertTrue(vault.receivedMatching("POST", "/v1/").isEmpty());
    }

    @Test
    void answers504WhenHexChecksTheTokenTooSlowly() {
        Links.link(Links.body("slow-1", "app", hex.tokenAnsweringMe("app", FakeHex.SLOW))).statusCode(504)
                .body("error.code", equalTo("upstream_timeout"));
        assertTrue(vault.receivedMatching("POST", "/v1/").isEmpty());
    }

    @Test
    void generatesAConnectionIdWhenNoneIsGiven() {
        String id = Links.link(Links.body(null, "app", hex.personalToken("app"))).statusCode(201)
                .extract().path("connection_id");
        assertTrue(id.matches("[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}"), id);
        assertTrue(vault.hasMetadata("hexgate/connections/" + id));
    }

    @Test
    void replacesAConnectionKeepingItsCreationTimeAndPruningTheOldToken() {
        String first = hex.personalToken("app");
        String second = hex.personalToken("app");
        String created = Links.link(Links.body("same", "app", first)).statusCode(201).extract().path("created_at");
        Links.link(Links.body("same", "app", second)).statusCode(201)
                .body("created_at", equalTo(created))
                .body("hex.token_hint", containsString(second.substring(second.length() - 4)));
        List<JsonNode> readable = vault.readableVersions("hexgate/connections/same");
        assertEquals(1, readable.size(), "the replaced version is pruned (max_versions=1)");
        assertEquals(second, readable.get(0).get("api_key").asText());
    }

    @Test
    void readsAConnectionWithoutItsToken() {
        String token = hex.personalToken("app");
        Links.linked("read-1", "app", token);
        String body = given().header("Authorization", Keys.bearer(Keys.FULL))
                .queryParam("provider_config_key", "hex")
                .queryParam("force_refresh", "false").queryParam("refresh_token", "false")
                .queryParam("refresh_github_app_jwt_token", "false")
                .when().get("/connections/read-1").then().statusCode(200)
                .body("connection_id", equalTo("read-1"))
                .body("credentials", anEmptyMap())
                .body("hex.token_type", equalTo("personal"))
                .extract().asString();
        assertFalse(body.contains(token));
    }

    @Test
    void answers404ForUnknownOrImpossibleConnectionIds() {
        given().header("Authorization", Keys.bearer(Keys.FULL)).when().get("/connections/nope").then().statusCode(404)
                .body("error.code", equalTo("unknown_connection"));
        given().header("Authorization", Keys.bearer(Keys.FULL)).when().get("/connections/..%2Fsys").then().statusCode(404)
                .body("error.code", equalTo("unknown_connection"));
        given().header("Authorization", Keys.bearer(Keys.FULL)).when().delete("/connections/nope").then().statusCode(404)
                .body("error.code", equalTo("unknown_connection"));
    }

    @Test
    void listsConnectionsInCreationOrderWithFiltersAndPages() {
        Links.link(Links.body("list-a", "app", hex.personalToken("app"))).statusCode(201);
        Links.link(Links.body("list-b", "app", hex.personalToken("app"))).statusCode(201);
        Links.link(Links.body("list-c", "app", hex.personalToken("app")).replace("user-1", "user-2")).statusCode(201);
        String all = given().header("Authorization", Keys.bearer(Keys.FULL)).when().get("/connections").then().statusCode(200)
                .body("connections", hasSize(3))
                .body("connections[0].connection_id", equalTo("list-a"))
                .body("connections[2].connection_id", equalTo("list-c"))
                .body("connections[0].credentials", nullValue())
                .body("connections[0].created", notNullValue())
                .extract().asString();
        assertFalse(NoSecretsInLogs.looksLikeToken(all));
        given().header("Authorization", Keys.bearer(Keys.FULL)).queryParam("endUserId", "user-2")
                .when().get("/connections").then().statusCode(200)
                .body("connections", hasSize(1)).body("connections[0].connection_id", equalTo("list-c"));
        given().header("Authorization", Keys.bearer(Keys.FULL)).queryParam("connectionId", "list-b")
                .when().get("/connections").then().statusCode(200)
                .body("connections", hasSize(1)).body("connections[0].connection_id", equalTo("list-b"));
        given().header("Authorization", Keys.bearer(Keys.FULL)).queryParam("limit", 2).queryParam("page", 1)
                .when().get("/connections").then().statusCode(200)
                .body("connections", hasSize(1)).body("connections[0].connection_id", equalTo("list-c"));
    }

    @Test
    void listsNothingFromAnEmptyVaultFolder() {
        given().header("Authorization", Keys.bearer(Keys.FULL)).when().get("/connections").then().statusCode(200)
                .body("connections", hasSize(0));
        // One LIST of the creation index (404 from Vault for a folder that does not exist), and nothing else.
        assertEquals(1, vault.receivedMatching("LIST", "/v1/secret/metadata/hexgate/index/created").size());
        assertEquals(List.of(), vault.receivedMatching("GET", "/v1/secret/data/hexgate/"));
    }

    @Test
    void refusesUnknownOrOutOfRangeQueryParameters() {
        for (String query : List.of("search=x", "limit=0", "limit=1001", "page=-1", "limit=abc")) {
            given().header("Authorization", Keys.bearer(Keys.FULL)).when().get("/connections?" + query).then()
                    .statusCode(400).body("error.code", equalTo("invalid_query_params"));
        }
    }

    @Test
    void deletesEveryVersionOfTheToken() {
        Links.linked("del-1", "app", hex.personalToken("app"));
        given().header("Authorization", Keys.bearer(Keys.FULL)).queryParam("provider_config_key", "hex")
                .when().delete("/connections/del-1").then().statusCode(200).body("success", equalTo(true));
        assertFalse(vault.hasMetadata("hexgate/connections/del-1"), "a hard delete leaves no version behind");
        assertEquals(1, vault.receivedMatching("DELETE", "/v1/secret/metadata/hexgate/connections/del-1").size());
        given().header("Authorization", Keys.bearer(Keys.FULL)).when().get("/connections/del-1").then().statusCode(404);
    }

    @Test
    void refusesAnotherIntegrationKey() {
        Links.link(Links.body("pk-1", "app", hex.personalToken("app")).replace("\"provider_config_key\":\"hex\"",
                "\"provider_config_key\":\"github\"")).statusCode(404).body("error.code", equalTo("unknown_provider_config"));
        given().header("Authorization", Keys.bearer(Keys.FULL)).queryParam("provider_config_key", "github")
                .when().get("/connections/pk-1").then().statusCode(404).body("error.code", equalTo("unknown_provider_config"));
        assertTrue(vault.receivedMatching("POST", "/v1/").isEmpty());
    }

    @Test
    void requiresAFullAccessSecretKey() {
        given().when().get("/connections").then().statusCode(401).body("error.code", equalTo("missing_auth_header"));
        given().header("Authorization", "Bearer not-a-key").when().get("/connections").then().statusCode(401)
                .body("error.code", equalTo("unknown_secret_key"));
        given().header("Authorization", Keys.FULL).when().get("/connections").then().statusCode(401)
                .body("error.code", equalTo("unknown_secret_key"));
        given().header("Authorization", Keys.bearer(Keys.PROXY_ONLY)).when().get("/connections").then().statusCode(403)
                .body("error.code", equalTo("forbidden"));
        given().header("Authorization", Keys.bearer(Keys.PROXY_ONLY)).contentType(ContentType.JSON)
                .body(Links.body("x", "app", hex.personalToken("app"))).when().post("/connections").then().statusCode(403);
        assertTrue(vault.received().isEmpty());
        assertTrue(hex.received().isEmpty());
    }

    @Test
    void refusesMalformedJsonAndUnknownFields() {
        Links.link("{\"provider_config_key\":").statusCode(400).body("error.code", equalTo("invalid_json"));
        Links.link(Links.body("uf", "app", hex.personalToken("app")).replace("\"tags\"",
                "\"webhook_url_override\":\"x\",\"tags\""))
                .statusCode(400).body("error.code", equalTo("invalid_body"))
                .body("error.errors[0].path[0]", equalTo("webhook_url_override"));
        Links.link("[]").statusCode(400).body("error.code", equalTo("invalid_body"));
        Links.link("").statusCode(400).body("error.code", equalTo("invalid_body"));
        assertTrue(vault.received().isEmpty());
        assertTrue(hex.received().isEmpty());
    }

    @Test
    void answers503WhenVaultIsSealedAndChangesNothing() {
        Links.linked("keep-1", "app", hex.personalToken("app"));
        JsonNode before = vault.latest("hexgate/connections/keep-1");
        vault.sealed(true);
        Links.link(Links.body("keep-1", "app", hex.personalToken("app"))).statusCode(503)
                .body("error.code", equalTo("store_unavailable"))
                .body("error.message", not(containsString("sealed")));
        vault.sealed(false);
        assertEquals(before, vault.latest("hexgate/connections/keep-1"));
    }

    @Test
    void answers503WhenVaultDeniesThePolicy() {
        vault.denyAll(true);
        given().header("Authorization", Keys.bearer(Keys.FULL)).when().get("/connections/any").then().statusCode(503)
                .body("error.code", equalTo("store_unavailable"))
                .body("error.message", not(containsString("permission")));
        Links.link(Links.body("denied-1", "app", hex.personalToken("app"))).statusCode(503)
                .body("error.code", equalTo("store_unavailable"));
        vault.denyAll(false);
        assertFalse(vault.hasMetadata("hexgate/connections/denied-1"), "a denied write stores nothing");
    }
}
