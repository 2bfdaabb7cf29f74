package dev.hexgate.connectui;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.nullValue;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.openqa.selenium.By;
import org.openqa.selenium.chrome.ChromeDriver;

import dev.hexgate.testing.Await;
import dev.hexgate.testing.Chromium;
import dev.hexgate.testing.ConnectFlow;
import dev.hexgate.testing.FakeHex;
import dev.hexgate.testing.FakeHexResource;
import dev.hexgate.testing.FrontendPages;
import dev.hexgate.testing.Keys;
import dev.hexgate.testing.NoSecretsInLogs;
import dev.hexgate.testing.OpenBaoResource;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusIntegrationTest;
import io.restassured.RestAssured;

/**
 * A web app on another origin uses the real {@code @nangohq/frontend} 0.71.10 in headless Chromium against the packaged
 * gateway, changing only {@code baseURL}/{@code apiURL}: {@code openConnectUI} frames the Connect page, which says
 * {@code ready}, takes the session token by {@code postMessage}, links, and reports {@code error}, {@code connect} and
 * {@code close}; headless {@code nango.auth()} links through CORS. An origin outside
 * {@code HEXGATE_CONNECT_FRAME_ANCESTORS} can do neither.
 */
@QuarkusIntegrationTest
@WithTestResource(OpenBaoResource.class)
@WithTestResource(FakeHexResource.class)
@WithTestResource(FrontendPages.class)
@ExtendWith(NoSecretsInLogs.class)
class ConnectFrontendIT {

    private static ChromeDriver browser;

    FakeHex hex;

    @BeforeAll
    static void startBrowser() {
        assertTrue(Files.isDirectory(Path.of("src/test/node/node_modules/@nangohq/frontend")),
                "run 'npm ci' in src/test/node (the build does it in pre-integration-test)");
        browser = Chromium.start();
    }

    @AfterAll
    static void stopBrowser() {
        if (browser != null) {
            browser.quit();
        }
    }

    private static String gateway() {
        return "http://localhost:" + RestAssured.port;
    }

    private static void openApp(String origin) {
        browser.switchTo().defaultContent();
        browser.get(origin + "/app.html");
        assertTrue(Await.until(() -> Boolean.TRUE.equals(browser.executeScript("return window.sdkReady === true")),
                Duration.ofSeconds(15)), "the SDK loaded in the customer's page");
    }

    @SuppressWarnings("unchecked")
    private static List<Map<String, Object>> events() {
        browser.switchTo().defaultContent();
        return (List<Map<String, Object>>) browser.executeScript("return window.events");
    }

    private static Map<String, Object> awaitEvent(String type) {
        assertTrue(Await.until(() -> events().stream().anyMatch(e -> type.equals(e.get("type"))), Duration.ofSeconds(15)),
                () -> "the app's onEvent received '" + type + "'; it has " + events());
        return events().stream().filter(e -> type.equals(e.get("type"))).reduce((a, b) -> b).orElseThrow();
    }

    private static void type(String id, String text) {
        var field = browser.findElement(By.id(id));
        field.clear();
        field.sendKeys(text);
    }

    @Test
    @SuppressWarnings("unchecked")
    void openConnectUiLinksInTheFrameAndReportsErrorConnectAndClose() {
        String token = ConnectFlow.session("{\"end_user\":{\"id\":\"frame-user\",\"email\":\"fay@example.com\"}}");
        openApp(FrontendPages.allowed);
        browser.executeScript("openUi(arguments[0], arguments[1])", token, gateway());

        browser.switchTo().frame("connect-ui");
        Chromium.waitFor(browser, By.id("api_token"));
        assertFalse(browser.getCurrentUrl().contains(token), "the session token is never in the frame's URL");
        assertTrue(browser.findElement(By.cssSelector("button.dismiss")).isDisplayed(), "framed, the page can be closed");
        assertEquals("ready", events().get(0).get("type"));

        browser.switchTo().frame("connect-ui");
        String wrong = FakeHex.unknownToken();
        type("subdomain", "app");
        type("api_token", wrong);
        browser.findElement(By.cssSelector("button[type=submit]")).click();
        Chromium.waitFor(browser, By.id("token-error"));
        Map<String, Object> error = (Map<String, Object>) awaitEvent("error").get("payload");
        assertEquals("connection_test_failed", error.get("errorType"));
        assertTrue(((String) error.get("errorMessage")).contains("Hex rejected this token"), error.toString());

        browser.switchTo().frame("connect-ui");
        String good = hex.personalToken("app");
        type("api_token", good);
        browser.findElement(By.cssSelector("button[type=submit]")).click();
        Chromium.waitFor(browser, By.cssSelector("h1.ok"));
        assertFalse(browser.getPageSource().contains(good));
        assertFalse(browser.getCurrentUrl().contains(token));
        Map<String, Object> connected = (Map<String, Object>) awaitEvent("connect").get("payload");
        assertEquals("hex", connected.get("providerConfigKey"));
        String id = (String) connected.get("connectionId");
        given().header("Authorization", Keys.bearer(Keys.FULL)).queryParam("endUserId", "frame-user")
                .when().get("/connections").then().statusCode(200)
                .body("connections", hasSize(1)).body("connections[0].connection_id", equalTo(id));

        browser.switchTo().frame("connect-ui");
        browser.findElement(By.cssSelector("button.finish")).click();
        awaitEvent("close");
        assertTrue(Await.until(() -> browser.executeScript("return document.getElementById('connect-ui')") == null,
                Duration.ofSeconds(5)), "close removed the iframe");
    }

    @Test
    void anotherOriginCannotFrameThePage() {
        String token = ConnectFlow.session("{\"end_user\":{\"id\":\"elsewhere-user\"}}");
        openApp(FrontendPages.other);
        browser.executeScript("openUi(arguments[0], arguments[1])", token, gateway());
        assertTrue(Await.until(() -> Boolean.TRUE.equals(browser.executeScript("return window.frameLoaded")),
                Duration.ofSeconds(15)), "the iframe finished loading (an error page)");
        browser.switchTo().frame("connect-ui");
        assertTrue(browser.findElements(By.cssSelector("body[data-page]")).isEmpty(),
                "frame-ancestors kept the Connect page out of the frame");
        assertTrue(events().isEmpty(), "nothing reached the other origin: " + events());
        ConnectFlow.open(token).then().statusCode(200);
    }

    @Test
    @SuppressWarnings("unchecked")
    void headlessAuthLinksFromTheAllowedOriginOnly() {
        String token = ConnectFlow.session("{\"end_user\":{\"id\":\"headless-user\"}}");

        openApp(FrontendPages.other);
        Map<String, Object> blocked = (Map<String, Object>) browser.executeAsyncScript(
                "headless(arguments[0], arguments[1], arguments[2], 'app').then(arguments[3])", token, gateway(),
                hex.personalToken("app"));
        assertEquals("TypeError", ((Map<String, Object>) blocked.get("error")).get("name"),
                "the browser refused the call after the preflight: " + blocked);
        ConnectFlow.open(token).then().statusCode(200);

        openApp(FrontendPages.allowed);
        Map<String, Object> refused = (Map<String, Object>) browser.executeAsyncScript(
                "headless(arguments[0], arguments[1], arguments[2], 'app').then(arguments[3])", token, gateway(),
                FakeHex.unknownToken());
        assertEquals("connection_test_failed", ((Map<String, Object>) refused.get("error")).get("type"), refused.toString());

        Map<String, Object> linked = (Map<String, Object>) browser.executeAsyncScript(
                "headless(arguments[0], arguments[1], arguments[2], 'app').then(arguments[3])", token, gateway(),
                hex.personalToken("app"));
        Map<String, Object> result = (Map<String, Object>) linked.get("result");
        assertEquals("hex", result.get("providerConfigKey"), linked.toString());
        given().header("Authorization", Keys.bearer(Keys.FULL)).queryParam("endUserId", "headless-user")
                .when().get("/connections").then().statusCode(200)
                .body("connections[0].connection_id", equalTo(result.get("connectionId")));

        Map<String, Object> again = (Map<String, Object>) browser.executeAsyncScript(
                "headless(arguments[0], arguments[1], arguments[2], 'app').then(arguments[3])", token, gateway(),
                hex.personalToken("app"));
        assertEquals("unknown_connect_session_token", ((Map<String, Object>) again.get("error")).get("type"));
    }

    @Test
    void corsOnlyForTheAllowedOriginAndOnlyOnTheBrowserRoutes() {
        given().header("Origin", FrontendPages.allowed).header("Access-Control-Request-Method", "POST")
                .header("Access-Control-Request-Headers", "content-type")
                .when().options("/api-auth/api-key/hex").then().statusCode(204)
                .header("Access-Control-Allow-Origin", FrontendPages.allowed)
                .header("Access-Control-Allow-Methods", "POST");
        given().header("Origin", FrontendPages.other).header("Access-Control-Request-Method", "POST")
                .when().options("/api-auth/api-key/hex").then()
                .header("Access-Control-Allow-Origin", nullValue()).header("Access-Control-Allow-Methods", nullValue());
        given().header("Origin", FrontendPages.allowed).header("Access-Control-Request-Method", "GET")
                .when().options("/connect/session").then().statusCode(204)
                .header("Access-Control-Allow-Origin", FrontendPages.allowed);
        given().header("Origin", FrontendPages.allowed).header("Authorization", Keys.bearer(Keys.FULL))
                .when().get("/connections").then().statusCode(200).header("Access-Control-Allow-Origin", nullValue());
        given().header("Origin", FrontendPages.allowed).when().get("/connect/session").then().statusCode(401)
                .header("Access-Control-Allow-Origin", FrontendPages.allowed)
                .body("error.code", equalTo("missing_auth_header"));
    }
}
