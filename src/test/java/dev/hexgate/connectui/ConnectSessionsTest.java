package dev.hexgate.connectui;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.matchesPattern;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.nullValue;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;
import java.util.List;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.hexgate.testing.ConnectFlow;
import dev.hexgate.testing.FakeHex;
import dev.hexgate.testing.FakeHexResource;
import dev.hexgate.testing.Keys;
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
class ConnectSessionsTest {

    private static final String USER = "{\"end_user\":{\"id\":\"user-7\",\"email\":\"ana@example.com\",\"display_name\":\"Ana\"},"
            + "\"tags\":{\"plan\":\"pro\"}}";

    OpenBao vault;
    FakeHex hex;

    @BeforeEach
    void reset() {
        vault.clear();
        hex.clearReceived();
    }

    /** Found by schemathesis: a session's tags and end user become a connection's, so they are held to a link's rules. */
    @Test
    void refusesSessionTagsAndEndUserFieldsALinkWouldRefuse() {
        String longKey = "k".repeat(300);
        for (String body : new String[] { "{\"end_user\":{\"id\":\"u-1\"},\"tags\":{\"" + longKey + "\":\"v\"}}",
                "{\"end_user\":{\"id\":\"u-1\"},\"tags\":{\"\":\"v\"}}",
                "{\"end_user\":{\"id\":\"u-1\",\"email\":\"" + "e".repeat(300) + "\"}}",
                "{\"end_user\":{\"id\":\"u-1\",\"tags\":{\"k\":\"" + "v".repeat(300) + "\"}}}" }) {
            given().header("Authorization", Keys.bearer(Keys.FULL)).contentType("application/json").body(body)
                    .when().post("/connect/sessions").then().statusCode(400).body("error.code", equalTo("invalid_body"));
        }
    }

    @Test
    void createsASessionStoredOnlyUnderTheHashOfItsToken() {
        Response created = given().header("Authorization", Keys.bearer(Keys.FULL)).contentType(ContentType.JSON).body(USER)
                .when().post("/connect/sessions").then().statusCode(201)
                .body("data.token", matchesPattern("hexgate_connect_session_[0-9a-f]{64}"))
                .body("data.connect_link",
                        matchesPattern("http://localhost:8080/connect\\?session_token=hexgate_connect_session_[0-9a-f]{64}"))
                .extract().response();
        String token = created.path("data.token");
        assertTrue(created.<String> path("data.connect_link").endsWith(token));
        Instant expires = Instant.parse(created.path("data.expires_at"));
        assertTrue(expires.isAfter(Instant.now().plusSeconds(29 * 60)) && expires.isBefore(Instant.now().plusSeconds(31 * 60)));
        String path = "hexgate/connect-sessions/" + ConnectSessionService.id(token);
        assertNotNull(vault.latest(path), "stored under the SHA-256 of the token");
        vault.received().forEach(
                r -> assertFalse(r.body().toString().contains(token) || r.path().contains(token), "token sent to Vault"));
    }

    @Test
    void refusesInvalidSessionRequests() {
        for (String body : List.of("{}", "{\"end_user\":{}}",
                "{\"end_user\":{\"id\":\"u\"},\"allowed_integrations\":[\"github\"]}",
                "{\"end_user\":{\"id\":\"u\"},\"integrations_config_defaults\":{\"hex\":{\"connection_config\":{\"subdomain\":\"evil.com\"}}}}",
                "{\"end_user\":{\"id\":\"u\"},\"webhook_url_override\":\"https://x\"}")) {
            given().header("Authorization", Keys.bearer(Keys.FULL)).contentType(ContentType.JSON).body(body)
                    .when().post("/connect/sessions").then().statusCode(400).body("error.code", equalTo("invalid_body"));
        }
        given().header("Authorization", Keys.bearer(Keys.PROXY_ONLY)).contentType(ContentType.JSON).body(USER)
                .when().post("/connect/sessions").then().statusCode(403);
        given().contentType(ContentType.JSON).body(USER).when().post("/connect/sessions").then().statusCode(401);
        assertTrue(vault.receivedMatching("POST", "/v1/").isEmpty());
    }

    @Test
    void servesTheFormWithStrictHeaders() {
        String token = ConnectFlow.session(USER);
        ConnectFlow.open(token).then().statusCode(200)
                .contentType(containsString("text/html"))
                .header("Content-Security-Policy", containsString("default-src 'self'"))
                .header("Content-Security-Policy", containsString("frame-ancestors 'none'"))
                .header("X-Content-Type-Options", "nosniff")
                .header("Referrer-Policy", "no-referrer")
                .header("Cache-Control", "no-store")
                .header("X-Frame-Options", "DENY")
                .header("Content-Security-Policy", matchesPattern(".*script-src 'nonce-[0-9a-f]{32}'.*"))
                .header("Set-Cookie", nullValue())
                .body(containsString("<label for=\"subdomain\">Subdomain</label>"))
                .body(containsString("<label for=\"api_token\">API Token</label>"))
                .body(containsString("type=\"password\""))
                .body(containsString("Settings → API keys"))
                .body(containsString("ana@example.com"));
    }

    @Test
    void linksAConnectionForTheSessionsEndUserAndUsesTheSessionOnce() {
        String token = ConnectFlow.session(USER);
        String hexToken = hex.personalToken("acme");
        String page = ConnectFlow.submit(token, "acme", hexToken).then().statusCode(200)
                .body(containsString("Your Hex account is connected"))
                .body(containsString("acme.hex.tech"))
                .body(containsString("analyst@example.com"))
                .extract().asString();
        assertFalse(page.contains(hexToken));
        assertEquals("Bearer " + hexToken, hex.last().header("Authorization"));

        given().header("Authorization", Keys.bearer(Keys.FULL)).queryParam("endUserId", "user-7")
                .when().get("/connections").then().statusCode(200)
                .body("connections", hasSize(1))
                .body("connections[0].connection_config.subdomain", equalTo("acme"))
                .body("connections[0].end_user.email", equalTo("ana@example.com"))
                .body("connections[0].tags.plan", equalTo("pro"))
                .body("connections[0].connection_id", matchesPattern("[0-9a-f-]{36}"));

        ConnectFlow.open(token).then().statusCode(410).body(containsString("already been used"));
        given().formParam("session_token", token).formParam("subdomain", "acme")
                .formParam("api_token", hex.personalToken("acme")).when().post("/connect").then().statusCode(410);
    }

    @Test
    void keepsTheSessionOpenWhenHexRejectsTheTokenAndSaysWhereItWasTried() {
        String token = ConnectFlow.session(USER);
        String wrong = FakeHex.unknownToken();
        String page = ConnectFlow.submit(token, "eu", wrong).then().statusCode(400)
                .body(containsString("Hex rejected this token for eu.hex.tech"))
                .body(containsString("aria-invalid=\"true\""))
                .body(containsString("value=\"eu\""))
                .extract().asString();
        assertFalse(page.contains(wrong), "the submitted token is never written back");
        ConnectFlow.submit(token, "eu", hex.workspaceToken("eu")).then().statusCode(200);
    }

    @Test
    void explainsInvalidInputBeforeContactingHex() {
        String token = ConnectFlow.session(USER);
        ConnectFlow.submit(token, "acme.hex.tech", "hxtp_short").then().statusCode(400)
                .body(containsString("This is not a Hex subdomain"))
                .body(containsString("This is not a Hex API token"))
                .body(containsString("id=\"subdomain-error\""))
                .body(containsString("aria-describedby=\"subdomain-help subdomain-error\""));
        assertTrue(hex.received().isEmpty());
        assertTrue(vault.receivedMatching("POST", "/v1/secret/data/hexgate/connections").isEmpty());
    }

    @Test
    void letsAPresetSubdomainWinOverWhatIsPosted() {
        String token = ConnectFlow.session("{\"end_user\":{\"id\":\"user-8\"},"
                + "\"integrations_config_defaults\":{\"hex\":{\"connection_config\":{\"subdomain\":\"eu\"}}}}");
        ConnectFlow.open(token).then().statusCode(200).body(containsString("<p class=\"preset\" id=\"subdomain\">eu"))
                .body(not(containsString("name=\"subdomain\"")));
        ConnectFlow.submit(token, "evil", hex.personalToken("eu")).then().statusCode(200).body(containsString("eu.hex.tech"));
        assertEquals("eu.hex.tech", hex.last().host());
    }

    @Test
    void reportsAnUnreachableHexWithoutUsingTheSession() {
        String token = ConnectFlow.session(USER);
        ConnectFlow.submit(token, "app", hex.tokenAnsweringMe("app", 503)).then().statusCode(502)
                .body(containsString("could not be reached"));
        ConnectFlow.open(token).then().statusCode(200);
    }

    @Test
    void showsExpiredAndUnknownLinks() {
        String token = ConnectFlow.session(USER);
        String path = "hexgate/connect-sessions/" + ConnectSessionService.id(token);
        JsonNode stored = vault.latest(path);
        ObjectNode session;
        try {
            session = (ObjectNode) new ObjectMapper().readTree(stored.get("session").asText());
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
        session.put("expires_at", "2020-01-01T00:00:00Z");
        ObjectNode data = new ObjectMapper().createObjectNode().put("session", session.toString());
        vault.put(path, data);
        ConnectFlow.open(token).then().statusCode(410).body(containsString("expired"));
        ConnectFlow.open("hexgate_connect_session_" + "0".repeat(64)).then().statusCode(404).body(containsString("not valid"));
        ConnectFlow.open("nonsense").then().statusCode(404);
        given().when().get("/connect").then().statusCode(404);
    }

    /** The CSRF checks of docs/security.md: Fetch Metadata and Origin, no cookie (it must work in third-party frames). */
    @Test
    void refusesAFormPostedFromAnotherSite() {
        String token = ConnectFlow.session(USER);
        for (String site : new String[] { "cross-site", "same-site" }) {
            given().header("Sec-Fetch-Site", site).formParam("session_token", token).formParam("subdomain", "app")
                    .formParam("api_token", hex.personalToken("app")).when().post("/connect").then().statusCode(403)
                    .body(containsString("could not be verified"));
        }
        for (String origin : new String[] { "https://evil.example", "null", "http://localhost:1", "not an origin" }) {
            given().header("Origin", origin).formParam("session_token", token).formParam("subdomain", "app")
                    .formParam("api_token", hex.personalToken("app")).when().post("/connect").then().statusCode(403);
        }
        given().header("Origin", "null").header("Sec-Fetch-Site", "cross-site").formParam("session_token", token)
                .formParam("subdomain", "app").formParam("api_token", hex.personalToken("app")).when().post("/connect")
                .then().statusCode(403);
        assertTrue(hex.received().isEmpty());
        assertTrue(vault.receivedMatching("POST", "/v1/secret/data/hexgate/connections/").isEmpty(), "nothing was linked");
        ConnectFlow.open(token).then().statusCode(200);
    }
}
