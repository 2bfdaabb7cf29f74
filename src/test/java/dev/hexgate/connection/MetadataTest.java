package dev.hexgate.connection;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.nullValue;

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

/** setMetadata / updateMetadata: replace or merge, one id or several, all or nothing, never a token. */
@QuarkusTest
@WithTestResource(OpenBaoResource.class)
@WithTestResource(FakeHexResource.class)
@ExtendWith(NoSecretsInLogs.class)
class MetadataTest {

    FakeHex hex;

    private static ValidatableResponse send(String method, String body) {
        return given().header("Authorization", Keys.bearer(Keys.FULL)).contentType("application/json").body(body)
                .when().request(method, "/connections/metadata").then();
    }

    private static ValidatableResponse read(String id) {
        return given().header("Authorization", Keys.bearer(Keys.FULL)).when().get("/connections/" + id).then().statusCode(200);
    }

    @Test
    void setReplacesUpdateMergesAndBothEchoTheRequest() {
        Links.linked("meta-1", "app", hex.personalToken("app"));
        String set = "{\"connection_id\":\"meta-1\",\"provider_config_key\":\"hex\",\"metadata\":{\"plan\":\"team\",\"seats\":5}}";
        send("POST", set).statusCode(201).body("connection_id", equalTo("meta-1")).body("metadata.plan", equalTo("team"));
        read("meta-1").body("metadata.plan", equalTo("team")).body("metadata.seats", equalTo(5));

        send("PATCH",
                "{\"connection_id\":\"meta-1\",\"provider_config_key\":\"hex\",\"metadata\":{\"seats\":9,\"region\":\"eu\"}}")
                .statusCode(200).body("metadata.seats", equalTo(9));
        read("meta-1").body("metadata.plan", equalTo("team")).body("metadata.seats", equalTo(9))
                .body("metadata.region", equalTo("eu"));

        send("POST", "{\"connection_id\":\"meta-1\",\"provider_config_key\":\"hex\",\"metadata\":{\"only\":true}}")
                .statusCode(201);
        read("meta-1").body("metadata.only", equalTo(true)).body("metadata.plan", nullValue());
        // The list reads index entries: they carry the new metadata too.
        given().header("Authorization", Keys.bearer(Keys.FULL)).queryParam("connectionId", "meta-1").when().get("/connections")
                .then().statusCode(200).body("connections[0].metadata.only", equalTo(true));
    }

    @Test
    void theRouteIsNotAConnectionIdSoNoConnectionMayBeCalledMetadata() {
        given().header("Authorization", Keys.bearer(Keys.FULL)).when().put("/connections/metadata").then().statusCode(405)
                .header("Allow", equalTo("GET, HEAD, POST, PATCH, DELETE, OPTIONS"));
        given().header("Authorization", Keys.bearer(Keys.FULL)).when().get("/connections/metadata").then().statusCode(404)
                .body("error.code", equalTo("unknown_connection"));
        Links.link(Links.body("metadata", "app", hex.personalToken("app"))).statusCode(400)
                .body("error.errors[0].path[0]", equalTo("connection_id"));
    }

    /** A connection whose end user fields are as long as allowed takes metadata like any other. */
    @Test
    void setsTheMetadataOfAConnectionWithTheLongestEndUserFields() {
        String body = "{\"provider_config_key\": \"hex\", \"connection_id\": \"S004cg\", \"connection_config\": {\"subdomain\": \"app\"}, \"credentials\": {\"type\":\"API_KEY\",\"apiKey\":\""
                + hex.personalToken("app")
                + "\"}, \"end_user\": {\"id\": \"4eb47cbf-b465-430e-84c5-e4c86a49139b\", \"email\": \"" + "0".repeat(255)
                + "\", \"display_name\": \"" + "0".repeat(255)
                + "\"}, \"metadata\": {\"team\": \"finance\"}, \"tags\": {\"env\": \"prod\"}}";
        Links.link(body).statusCode(201);
        read("S004cg");
        send("POST", "{\"connection_id\": \"S004cg\", \"provider_config_key\": \"hex\", \"metadata\": {\"plan\": \"team\"}}")
                .statusCode(201);
    }

    @Test
    void severalIdsAtOnceAndOneUnknownChangesNone() {
        Links.linked("meta-a", "app", hex.personalToken("app"));
        Links.linked("meta-b", "app", hex.personalToken("app"));
        send("POST", "{\"connection_id\":[\"meta-a\",\"meta-b\"],\"provider_config_key\":\"hex\",\"metadata\":{\"n\":1}}")
                .statusCode(201).body("connection_id", hasItem("meta-b"));
        read("meta-a").body("metadata.n", equalTo(1));
        read("meta-b").body("metadata.n", equalTo(1));

        send("PATCH",
                "{\"connection_id\":[\"meta-a\",\"meta-missing\",\"meta-b\"],\"provider_config_key\":\"hex\",\"metadata\":{\"n\":2}}")
                .statusCode(404).body("error.code", equalTo("unknown_connection"))
                .body("error.message", equalTo("1 of the 3 ids name no connection; no metadata was changed."));
        read("meta-a").body("metadata.n", equalTo(1));
        read("meta-b").body("metadata.n", equalTo(1));
        send("POST", "{\"connection_id\":\"not a valid id\",\"provider_config_key\":\"hex\",\"metadata\":{}}").statusCode(404)
                .body("error.code", equalTo("unknown_connection"));
    }

    @Test
    void refusesWhatIsNotAnObjectTooLargeOrHoldsAToken() {
        Links.linked("meta-x", "app", hex.personalToken("app"));
        String token = hex.personalToken("app");
        send("POST", "{\"connection_id\":\"meta-x\",\"provider_config_key\":\"hex\",\"metadata\":[1]}").statusCode(400)
                .body("error.code", equalTo("invalid_body"));
        send("POST",
                "{\"connection_id\":\"meta-x\",\"provider_config_key\":\"hex\",\"metadata\":{\"k\":\"" + "x".repeat(70_000)
                        + "\"}}")
                .statusCode(400).body("error.errors[0].message", equalTo("at most 64 KiB of JSON"));
        send("PATCH",
                "{\"connection_id\":\"meta-x\",\"provider_config_key\":\"hex\",\"metadata\":{\"nested\":{\"t\":\"Bearer "
                        + token + "\"}}}")
                .statusCode(400).body("error.code", equalTo("invalid_body"));
        send("POST", "{\"connection_id\":[],\"provider_config_key\":\"hex\",\"metadata\":{}}").statusCode(400);
        send("POST", "{\"connection_id\":[7],\"provider_config_key\":\"hex\",\"metadata\":{}}").statusCode(400);
        send("POST", "{\"connection_id\":\"meta-x\",\"metadata\":{}}").statusCode(400);
        send("POST", "{\"connection_id\":\"meta-x\",\"provider_config_key\":\"github\",\"metadata\":{}}").statusCode(404)
                .body("error.code", equalTo("unknown_provider_config"));
        send("POST", "{\"connection_id\":\"meta-x\",\"provider_config_key\":\"hex\",\"metadata\":{},\"extra\":1}")
                .statusCode(400);
        read("meta-x").body("metadata.team", equalTo("finance"));
        // A token in the metadata of a link is refused the same way, and so is one in a tag.
        Links.link(Links.body("meta-y", "app", token).replace("\"team\":\"finance\"", "\"copy\":\"" + token + "\""))
                .statusCode(400).body("error.code", equalTo("invalid_body"));
        Links.link(Links.body("meta-y", "app", token).replace("\"env\":\"test\"", "\"env\":\"" + token + "\""))
                .statusCode(400).body("error.code", equalTo("invalid_body"));
        given().header("Authorization", Keys.bearer(Keys.FULL)).when().get("/connections/meta-y").then().statusCode(404);
    }
}
