package dev.hexgate.testing;

import static io.restassured.RestAssured.given;

import io.restassured.http.ContentType;
import io.restassured.response.Response;

/** Connect-session steps as a backend and an end user's browser perform them. */
public final class ConnectFlow {

    private ConnectFlow() {
    }

    /** Creates a session and returns its token. */
    public static String session(String body) {
        return given().header("Authorization", Keys.bearer(Keys.FULL)).contentType(ContentType.JSON).body(body)
                .when().post("/connect/sessions").then().statusCode(201).extract().path("data.token");
    }

    /** Opens the page, as the connect link does. */
    public static Response open(String token) {
        return given().queryParam("session_token", token).when().get("/connect");
    }

    /** Submits the form the way the page's own form would: its hidden field, as a same-origin browser sends it. */
    public static Response submit(String token, String subdomain, String apiToken) {
        open(token).then().statusCode(200);
        return given().header("Sec-Fetch-Site", "same-origin").formParam("session_token", token)
                .formParam("subdomain", subdomain).formParam("api_token", apiToken)
                .when().post("/connect");
    }
}
