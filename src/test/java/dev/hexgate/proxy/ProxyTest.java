package dev.hexgate.proxy;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.emptyString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.matchesPattern;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.notNullValue;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.http.HttpResponse;
import java.util.List;

import org.hamcrest.Matchers;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.hexgate.testing.FakeHex;
import dev.hexgate.testing.FakeHexResource;
import dev.hexgate.testing.Keys;
import dev.hexgate.testing.Links;
import dev.hexgate.testing.NoSecretsInLogs;
import dev.hexgate.testing.OpenBao;
import dev.hexgate.testing.OpenBaoResource;
import dev.hexgate.testing.RawHttp;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.specification.RequestSpecification;

@QuarkusTest
@WithTestResource(OpenBaoResource.class)
@WithTestResource(FakeHexResource.class)
@ExtendWith(NoSecretsInLogs.class)
class ProxyTest {

    OpenBao vault;
    FakeHex hex;
    String token;

    @BeforeEach
    void linkOne() {
        vault.clear();
        token = hex.personalToken("app");
        Links.linked("proxy-1", "app", token);
        hex.clearReceived();
    }

    private static RequestSpecification proxy() {
        return given().header("Authorization", Keys.bearer(Keys.FULL)).header("Connection-Id", "proxy-1")
                .header("Provider-Config-Key", "hex");
    }

    @Test
    void injectsStoredTokenAndDropsCallerCredentials() {
        proxy().header("Cookie", "session=caller")
                .header("Proxy-Authorization", "Basic Y2FsbGVyOnNlY3JldA==")
                .header("X-Forwarded-For", "10.0.0.1").header("X-Forwarded-Host", "evil.example")
                .header("Forwarded", "for=10.0.0.1;host=evil.example")
                .header("Nango-Proxy-Authorization", "Bearer hxtp_callerSuppliedToken0000")
                .header("Nango-Proxy-Host", "evil.example")
                .header("Nango-Proxy-Cookie", "a=b")
                .header("Nango-Proxy-X-Custom", "from-nango")
                .header("Base-Url-Override", "").header("Nango-Activity-Log-Id", "").header("Nango-Is-Sync", "true")
                .header("Retries", "2").header("Decompress", "true")
                .header("Connection", "X-Hop-Secret").header("X-Hop-Secret", "hop")
                .header("Accept", "application/json").header("User-Agent", "nango-node-client/0.71.10")
                .when().get("/proxy/v1/projects").then().statusCode(200)
                .body("values[0].title", equalTo("Revenue"));

        FakeHex.Received got = hex.last();
        assertEquals("app.hex.tech", got.host());
        assertEquals("/api/v1/projects", got.rawPath());
        assertEquals(List.of("Bearer " + token), got.headers().get("authorization"));
        assertEquals("from-nango", got.header("X-Custom"));
        assertEquals("application/json", got.header("Accept"));
        assertEquals("nango-node-client/0.71.10", got.header("User-Agent"));
        for (String dropped : List.of("cookie", "proxy-authorization", "x-forwarded-for", "x-forwarded-host", "forwarded",
                "connection-id", "provider-config-key", "base-url-override", "nango-activity-log-id", "nango-is-sync",
                "retries", "decompress", "x-hop-secret", "nango-proxy-authorization", "nango-proxy-host", "nango-proxy-cookie",
                "nango-proxy-x-custom")) {
            assertNull(got.header(dropped), dropped + " must not reach Hex");
        }
    }

    @Test
    void keepsPathAndRawQueryByteForByte() {
        String raw = "/v1/projects/abc%2Fdef/runs?b=2&a=%2F%20x&a=1&empty=&flag&sp=a+b&u=%E2%9C%93";
        HttpResponse<String> r = RawHttp.send("GET", "/proxy" + raw, "Authorization", Keys.bearer(Keys.FULL),
                "Connection-Id", "proxy-1");
        assertEquals(200, r.statusCode());
        FakeHex.Received got = hex.last();
        assertEquals("/api/v1/projects/abc%2Fdef/runs", got.rawPath());
        assertEquals("b=2&a=%2F%20x&a=1&empty=&flag&sp=a+b&u=%E2%9C%93", got.rawQuery());
    }

    @Test
    void preservesEveryUpstreamStatus() {
        proxy().contentType("application/json").body("{\"dryRun\":false}")
                .when().post("/proxy/v1/projects/p-1/runs").then().statusCode(201)
                .body("runId", notNullValue()).body("projectVersion", equalTo(3));
        proxy().when().delete("/proxy/v1/projects/p-1/runs/r-1").then().statusCode(204).body(emptyString());
        for (int status : List.of(202, 206, 400, 404, 422, 429, 500, 503)) {
            proxy().when().get("/proxy/v1/test/status/" + status).then().statusCode(status)
                    .header("X-Trace-Id", "hex-trace-" + status)
                    .body("message", equalTo("status " + status));
        }
        proxy().when().get("/proxy/v1/test/status/429").then().header("Retry-After", "7");
    }

    @Test
    void passesHexsPlainTextUnauthorizedThroughUnchanged() {
        hex.revoke(token);
        proxy().when().get("/proxy/v1/projects").then().statusCode(401).body(equalTo("Unauthorized"))
                .header("Content-Type", "text/plain");
    }

    @Test
    void passesHexsJsonUnauthorizedThroughUnchanged() {
        hex.revoke(token);
        hex.jsonUnauthorized(true);
        try {
            proxy().when().get("/proxy/v1/projects").then().statusCode(401)
                    .body("code", equalTo("UNAUTHORIZED")).body("message", equalTo("Authorization not provided"));
        } finally {
            hex.jsonUnauthorized(false);
        }
    }

    @Test
    void passesRedirectsBackWithoutFollowingThem() {
        proxy().redirects().follow(false).when().get("/proxy/v1/test/status/302").then().statusCode(302)
                .header("Location", "https://app.hex.tech/api/v1/elsewhere");
        assertEquals(1, hex.received().size());
    }

    @Test
    void answersHeadRequests() {
        proxy().when().head("/proxy/v1/projects").then().statusCode(200);
        assertEquals("HEAD", hex.last().method());
    }

    @Test
    void setsARequestIdSentToHexAndReturned() {
        String id = proxy().when().get("/proxy/v1/test/request-id").then().statusCode(200)
                .header("X-Request-Id", matchesPattern("[0-9a-f-]{36}"))
                .header("X-Trace-Id", "hex-trace-1")
                .extract().header("X-Request-Id");
        assertEquals(id, hex.last().header("X-Request-Id"));
        proxy().header("X-Request-Id", "caller-req-42").when().get("/proxy/v1/test/request-id").then()
                .header("X-Request-Id", "caller-req-42");
        assertEquals("caller-req-42", hex.last().header("X-Request-Id"));
    }

    @Test
    void putsARequestIdOnGatewayErrorsToo() {
        given().header("X-Request-Id", "err-req-1").when().get("/proxy/v1/projects").then().statusCode(401)
                .header("X-Request-Id", "err-req-1");
        given().header("Authorization", Keys.bearer(Keys.FULL)).when().get("/connections").then()
                .header("X-Request-Id", notNullValue());
    }

    @Test
    void acceptsProxyOnlyKeys() {
        given().header("Authorization", Keys.bearer(Keys.PROXY_ONLY)).header("Connection-Id", "proxy-1")
                .when().get("/proxy/v1/projects").then().statusCode(200);
    }

    @Test
    void refusesCallersWithoutAKnownSecretKey() {
        given().header("Connection-Id", "proxy-1").when().get("/proxy/v1/projects").then().statusCode(401)
                .body("error.code", equalTo("missing_auth_header"));
        given().header("Authorization", "Bearer " + token).header("Connection-Id", "proxy-1")
                .when().get("/proxy/v1/projects").then().statusCode(401)
                .body("error.code", equalTo("unknown_secret_key"))
                .body(not(Matchers.containsString(token)));
        assertTrue(hex.received().isEmpty());
    }

    @Test
    void refusesADuplicatedConnectionId() {
        proxy().header("Connection-Id", "other").when().get("/proxy/v1/projects").then().statusCode(400)
                .body("error.code", equalTo("invalid_headers"));
        assertTrue(hex.received().isEmpty());
    }

    @Test
    void refusesBadControlHeadersWithoutContactingHex() {
        given().header("Authorization", Keys.bearer(Keys.FULL)).when().get("/proxy/v1/projects").then().statusCode(400)
                .body("error.code", equalTo("invalid_headers"));
        proxy().header("Connection-Id", "a/b").when().get("/proxy/v1/projects").then().statusCode(400)
                .body("error.code", equalTo("invalid_headers"));
        given().header("Authorization", Keys.bearer(Keys.FULL)).header("Connection-Id", "proxy-1")
                .header("Provider-Config-Key", "github").when().get("/proxy/v1/projects").then().statusCode(404)
                .body("error.code", equalTo("unknown_provider_config"));
        proxy().header("Base-Url-Override", "https://evil.example").when().get("/proxy/v1/projects").then().statusCode(400)
                .body("error.code", equalTo("invalid_headers"));
        proxy().header("Retries", "many").when().get("/proxy/v1/projects").then().statusCode(400)
                .body("error.code", equalTo("invalid_headers"));
        // Found by HostileInputTest: an empty first Base-Url-Override used to hide a second one.
        HttpResponse<String> twice = RawHttp.send("GET", "/proxy/v1/projects", "Authorization", Keys.bearer(Keys.FULL),
                "Connection-Id", "proxy-1", "Base-Url-Override", "", "Base-Url-Override", "https://evil.example");
        assertEquals(400, twice.statusCode(), twice.body());
        assertTrue(twice.body().contains("invalid_headers"), twice.body());
        assertTrue(hex.received().isEmpty());
    }

    @Test
    void refusesPathsThatClimbOutOfTheBasePath() {
        for (String path : List.of("/proxy/v1/../x", "/proxy/..", "/proxy/v1/%2e%2e/x", "/proxy/v1/%2E%2e%2Fx",
                "/proxy/v1/%252e%252e/x", "/proxy/v1%5C..%5Cx", "/proxy/v1/.%2e/x",
                // Found by schemathesis: an escaped '%' whose next decoding is malformed; now every escaped '%' is refused.
                "/proxy/v1/QD%25", "/proxy/v1/a%2541")) {
            HttpResponse<String> r = RawHttp.send("GET", path, "Authorization", Keys.bearer(Keys.FULL),
                    "Connection-Id", "proxy-1");
            assertEquals(400, r.statusCode(), path);
            assertTrue(r.body().contains("\"invalid_path\""), path + " -> " + r.body());
        }
        String malformed = RawHttp.socket("GET /proxy/v1/%zz HTTP/1.1\r\nHost: localhost\r\nAuthorization: "
                + Keys.bearer(Keys.FULL) + "\r\nConnection-Id: proxy-1\r\nConnection: close\r\n\r\n");
        // Refused by the HTTP server layer itself (bare 400, connection closed) before any route runs.
        assertTrue(malformed.startsWith("HTTP/1.1 400"), malformed);
        assertTrue(hex.received().isEmpty());
    }

    @Test
    void refusesAStoredConnectionWhoseSubdomainIsNotALabel() throws Exception {
        ObjectNode record = vault.latest("hexgate/connections/proxy-1").deepCopy();
        record.put("connection", record.get("connection").asText().replace("\"subdomain\":\"app\"",
                "\"subdomain\":\"evil.example\""));
        vault.put("hexgate/connections/tampered", record);
        given().header("Authorization", Keys.bearer(Keys.FULL)).header("Connection-Id", "tampered")
                .when().get("/proxy/v1/projects").then().statusCode(500).body("error.code", equalTo("server_error"));
        assertTrue(hex.received().isEmpty(), "the token went nowhere");
    }

    @Test
    void answers404ForAnUnknownConnection() {
        given().header("Authorization", Keys.bearer(Keys.FULL)).header("Connection-Id", "nobody")
                .when().get("/proxy/v1/projects").then().statusCode(404)
                .body("error.code", equalTo("unknown_connection"));
        assertTrue(hex.received().isEmpty());
    }

    @Test
    void stopsUsingATokenOnceItsConnectionIsDeleted() {
        proxy().when().get("/proxy/v1/projects").then().statusCode(200);
        given().header("Authorization", Keys.bearer(Keys.FULL)).when().delete("/connections/proxy-1").then().statusCode(200);
        hex.clearReceived();
        proxy().when().get("/proxy/v1/projects").then().statusCode(404).body("error.code", equalTo("unknown_connection"));
        assertTrue(hex.received().isEmpty());
    }

    @Test
    void servesCachedTokensWithoutReadingVaultAgain() {
        proxy().when().get("/proxy/v1/projects").then().statusCode(200);
        vault.clearReceived();
        for (int i = 0; i < 5; i++) {
            proxy().when().get("/proxy/v1/projects").then().statusCode(200);
        }
        assertTrue(vault.received().isEmpty(), "steady-state proxying reads nothing from Vault");
    }

    @Test
    void refusesADeclaredBodyOverTheLimitBeforeReadingIt() {
        String answer = RawHttp.socket("POST /proxy/v1/test/upload HTTP/1.1\r\nHost: localhost\r\nAuthorization: "
                + Keys.bearer(Keys.FULL) + "\r\nConnection-Id: proxy-1\r\nContent-Type: application/octet-stream\r\n"
                + "Content-Length: 200000000\r\n\r\n");
        assertTrue(answer.startsWith("HTTP/1.1 413"), answer);
        assertTrue(answer.contains("\"request_too_large\""), answer);
        assertTrue(hex.received().isEmpty());
    }

    @Test
    void answers503WhenTheStoreIsDownAndTheConnectionIsNotCached() {
        vault.put("hexgate/connections/never-used", vault.latest("hexgate/connections/proxy-1"));
        vault.sealed(true);
        try {
            given().header("Authorization", Keys.bearer(Keys.FULL)).header("Connection-Id", "never-used")
                    .when().get("/proxy/v1/projects").then().statusCode(503)
                    .body("error.code", equalTo("store_unavailable"));
        } finally {
            vault.sealed(false);
        }
        assertTrue(hex.received().isEmpty());
    }

    @Test
    void answers504WhenHexIsTooSlow() {
        proxy().when().get("/proxy/v1/test/delay?ms=4000").then().statusCode(504)
                .body("error.code", equalTo("upstream_timeout"));
    }

    @Test
    void neverPutsTheTokenInAResponse() {
        String body = proxy().when().get("/proxy/v1/echo").then().statusCode(200).extract().asString();
        assertFalse(body.contains(token));
        String json = given().header("Authorization", Keys.bearer(Keys.FULL)).when().get("/connections/proxy-1")
                .then().extract().asString();
        assertFalse(json.contains(token));
    }
}
