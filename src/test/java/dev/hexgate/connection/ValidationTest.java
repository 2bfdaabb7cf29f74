package dev.hexgate.connection;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.allOf;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import dev.hexgate.testing.FakeHex;
import dev.hexgate.testing.FakeHexResource;
import dev.hexgate.testing.Keys;
import dev.hexgate.testing.Links;
import dev.hexgate.testing.NoSecretsInLogs;
import dev.hexgate.testing.OpenBao;
import dev.hexgate.testing.OpenBaoResource;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;

/** Every row of docs/contract.md §2, accepted and refused values alike, checked through the API. */
@QuarkusTest
@WithTestResource(OpenBaoResource.class)
@WithTestResource(FakeHexResource.class)
@ExtendWith(NoSecretsInLogs.class)
class ValidationTest {

    OpenBao vault;
    FakeHex hex;

    @BeforeEach
    void reset() {
        vault.clear();
        hex.clearReceived();
    }

    @ParameterizedTest
    @ValueSource(strings = { "app", "eu", "hc", "atreides", "a", "0", "acme-prod-2",
            "a1234567890123456789012345678901234567890123456789012345678901b" })
    void acceptsSubdomainsThatAreOneDnsLabel(String subdomain) {
        Links.link(Links.body("sub-ok", subdomain, hex.personalToken(subdomain))).statusCode(201)
                .body("connection_config.subdomain", equalTo(subdomain));
        assertEquals(subdomain + ".hex.tech", hex.last().host());
    }

    @ParameterizedTest
    @ValueSource(strings = { "", "App", "app.evil.com", "evil.com", "app:8443", "user@evil", "-app", "app-", "app_1", "app/x",
            "app\\\\x", "app%2e", "аpp", "app\\r\\nHost: x", " app",
            "a12345678901234567890123456789012345678901234567890123456789012345" })
    void refusesSubdomainsThatAreNotOneLowerCaseLabel(String subdomain) {
        Links.link(Links.body("sub-bad", subdomain, FakeHex.unknownToken())).statusCode(400)
                .body("error.code", equalTo("invalid_body"))
                .body("error.errors[0].path[0]", equalTo("connection_config"));
        assertNothingHappened();
    }

    @ParameterizedTest
    @ValueSource(strings = { "hxtp_", "hxtp_short", "hxtx_0123456789abcdef01", "HXTP_0123456789abcdef01",
            "0123456789abcdef0123",
            "hxtp_0123456789abcdef-1", "hxtp_0123456789abcdef 1", " hxtp_0123456789abcdef01",
            "Bearer hxtp_0123456789abcdef01" })
    void refusesMalformedTokens(String token) {
        Links.link(Links.body("tok-bad", "app", token)).statusCode(400)
                .body("error.code", equalTo("invalid_body"))
                .body("error.errors[0].path[0]", equalTo("credentials"))
                .body("error.errors[0].path[1]", equalTo("apiKey"));
        assertNothingHappened();
    }

    @ParameterizedTest
    @ValueSource(strings = { "hxtp_0123456789abcdef", "hxtw_ABCDEFabcdef012345" })
    void acceptsWellFormedTokensAndLetsHexJudgeThem(String token) {
        Links.link(Links.body("tok-ok", "app", token)).statusCode(400).body("error.code", equalTo("connection_test_failed"));
        assertEquals("/api/v1/users/me", hex.last().rawPath());
    }

    @ParameterizedTest
    @ValueSource(strings = { "c", "acme-42", "A.b_c:d@e+f=g~h-i", "550e8400-e29b-41d4-a716-446655440000" })
    void acceptsConnectionIds(String id) {
        Links.link(Links.body(id, "app", hex.personalToken("app"))).statusCode(201).body("connection_id", equalTo(id));
        assertTrue(vault.hasMetadata("hexgate/connections/" + id));
        given().header("Authorization", Keys.bearer(Keys.FULL)).when().get("/connections/{id}", id).then().statusCode(200);
    }

    @ParameterizedTest
    @ValueSource(strings = { "", "..", "../x", "a/b", ".hidden", "-x", "_x", "a b", "a%2Fb", "a\\\\b", "a?b", "a#b" })
    void refusesConnectionIdsThatCouldBecomeAnotherVaultPath(String id) {
        Links.link(Links.body(id, "app", hex.personalToken("app"))).statusCode(400)
                .body("error.code", equalTo("invalid_body"))
                .body("error.errors[0].path[0]", equalTo("connection_id"));
        assertNothingHappened();
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "\"type\":\"API_KEY\"                  | \"type\":\"OAUTH2\"                | credentials",
            "\"metadata\":{\"team\":\"finance\"}   | \"metadata\":\"text\"              | metadata",
            "\"id\":\"user-1\",                    | ''                               | end_user",
            "\"tags\":{\"env\":\"test\"}           | \"tags\":{\"k\":1}                 | tags",
            "\"subdomain\":\"app\"                 | \"subdomain\":\"app\",\"region\":\"us\" | connection_config",
            "\"provider_config_key\":\"hex\",      | ''                               | provider_config_key" })
    void refusesOtherInvalidBodies(String original, String replacement, String field) {
        String body = Links.body("other", "app", hex.personalToken("app")).replace(original, replacement);
        Links.link(body).statusCode(400).body("error.code", equalTo("invalid_body"))
                .body("error.errors[0].path[0]", equalTo(field));
        assertTrue(vault.receivedMatching("POST", "/v1/").isEmpty());
    }

    @org.junit.jupiter.api.Test
    void refusesDuplicatedKeysAsAmbiguous() {
        String body = Links.body("dup", "app", hex.personalToken("app"));
        Links.link(body.replace("\"metadata\":", "\"connection_id\":\"other\",\"metadata\":")).statusCode(400)
                .body("error.code", equalTo("invalid_json"));
        assertNothingHappened();
    }

    /** Found by schemathesis: a 405 must name the methods the route takes (RFC 9110). */
    @org.junit.jupiter.api.Test
    void aMethodTheRouteDoesNotTakeIs405NamingTheOnesItDoes() {
        given().header("Authorization", Keys.bearer(Keys.FULL)).when().put("/connections").then().statusCode(405)
                .header("Allow", allOf(containsString("GET"), containsString("POST")))
                .body("error.code", equalTo("method_not_allowed"));
        given().header("Authorization", Keys.bearer(Keys.FULL)).when().request("TRACE", "/connections/x").then()
                .statusCode(405).header("Allow", allOf(containsString("GET"), containsString("DELETE")));
        assertNothingHappened();
    }

    /** Found by schemathesis: ?page=&page=x was read as the default page; a repeated parameter is ambiguous. */
    @org.junit.jupiter.api.Test
    void aQueryParameterGivenTwiceIsRefused() {
        given().header("Authorization", Keys.bearer(Keys.FULL)).when().get("/connections?limit=5&page=&page=x").then()
                .statusCode(400).body("error.code", equalTo("invalid_query_params"))
                .body("error.errors[0].path[0]", equalTo("page"));
        given().header("Authorization", Keys.bearer(Keys.FULL)).when()
                .get("/connections/x?provider_config_key=hex&provider_config_key=other").then().statusCode(400)
                .body("error.code", equalTo("invalid_query_params"));
        assertNothingHappened();
    }

    /** Found by schemathesis: OPTIONS listed every method of the resource class, DELETE on /connections included. */
    @org.junit.jupiter.api.Test
    void optionsNamesOnlyTheMethodsOfTheRouteAskedAbout() {
        given().header("Authorization", Keys.bearer(Keys.FULL)).when().options("/connections").then()
                .header("Allow", equalTo("GET, HEAD, POST, OPTIONS"));
        given().header("Authorization", Keys.bearer(Keys.FULL)).when().options("/connections/x").then()
                .header("Allow", equalTo("GET, HEAD, PATCH, DELETE, OPTIONS"));
        assertNothingHappened();
    }

    private void assertNothingHappened() {
        assertTrue(vault.received().isEmpty(), "nothing reached Vault");
        assertTrue(hex.received().isEmpty(), "nothing reached Hex");
    }
}
