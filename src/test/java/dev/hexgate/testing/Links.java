package dev.hexgate.testing;

import static io.restassured.RestAssured.given;

import io.restassured.http.ContentType;
import io.restassured.response.ValidatableResponse;

/** Builds and sends {@code POST /connections} bodies the way a backend would. */
public final class Links {

    private Links() {
    }

    public static String body(String connectionId, String subdomain, String token) {
        return "{\"provider_config_key\":\"hex\","
                + (connectionId == null ? "" : "\"connection_id\":\"" + connectionId + "\",")
                + "\"connection_config\":{\"subdomain\":\"" + subdomain + "\"},"
                + "\"credentials\":{\"type\":\"API_KEY\",\"apiKey\":\"" + token + "\"},"
                + "\"end_user\":{\"id\":\"user-1\",\"email\":\"ana@example.com\",\"display_name\":\"Ana\"},"
                + "\"metadata\":{\"team\":\"finance\"},\"tags\":{\"env\":\"test\"}}";
    }

    public static ValidatableResponse link(String json) {
        return given().header("Authorization", Keys.bearer(Keys.FULL)).contentType(ContentType.JSON).body(json)
                .when().post("/connections").then();
    }

    public static void linked(String connectionId, String subdomain, String token) {
        link(body(connectionId, subdomain, token)).statusCode(201);
    }
}
