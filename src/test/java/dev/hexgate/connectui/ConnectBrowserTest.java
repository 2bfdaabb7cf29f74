package dev.hexgate.connectui;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasSize;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.openqa.selenium.By;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;

import dev.hexgate.testing.Chromium;
import dev.hexgate.testing.ConnectFlow;
import dev.hexgate.testing.FakeHex;
import dev.hexgate.testing.FakeHexResource;
import dev.hexgate.testing.Keys;
import dev.hexgate.testing.NoSecretsInLogs;
import dev.hexgate.testing.OpenBaoResource;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;

/**
 * The Connect UI in real headless Chromium (Debian's chromium and chromium-driver): an end user opens the link, is
 * told a token is wrong, enters a good one and is connected; the link then no longer works. Screenshots go to
 * target/screenshots/. Required in CI (CI=true); skipped elsewhere when Chromium is not installed ({@link Chromium}).
 */
@QuarkusTest
@WithTestResource(OpenBaoResource.class)
@WithTestResource(FakeHexResource.class)
@ExtendWith(NoSecretsInLogs.class)
class ConnectBrowserTest {

    private static final Path SHOTS = Path.of("target/screenshots");
    private static ChromeDriver browser;

    FakeHex hex;

    @BeforeAll
    static void startBrowser() throws IOException {
        browser = Chromium.start();
        Files.createDirectories(SHOTS);
    }

    @AfterAll
    static void stopBrowser() {
        if (browser != null) {
            browser.quit();
        }
    }

    @Test
    void linksAnAccountThroughTheFormAndRefusesTheLinkAfterwards() throws IOException {
        String token = ConnectFlow.session("{\"end_user\":{\"id\":\"browser-user\",\"email\":\"ana@example.com\"}}");
        String link = "http://localhost:" + RestAssured.port + "/connect?session_token=" + token;
        browser.manage().window().setSize(new Dimension(1024, 1000));
        browser.get(link);
        assertEquals("Connect your Hex account · hexgate", browser.getTitle());
        shot("connect-form.png");

        // The browser checks the format itself before anything is sent.
        type("subdomain", "App.Hex.Tech");
        type("api_token", "hxtp_short");
        browser.findElement(By.cssSelector("button[type=submit]")).click();
        assertTrue((Boolean) ((JavascriptExecutor) browser).executeScript(
                "return document.getElementById('subdomain').validity.patternMismatch"));
        assertTrue(browser.getCurrentUrl().contains("session_token="), "the form was not submitted");
        assertTrue(hex.received().isEmpty());

        // A well-formed token Hex does not know: the page says so, names the host, keeps the subdomain, drops the token.
        String wrong = FakeHex.unknownToken();
        type("subdomain", "app");
        type("api_token", wrong);
        browser.findElement(By.cssSelector("button[type=submit]")).click();
        WebElement error = waitFor(By.id("token-error"));
        assertTrue(error.getText().contains("Hex rejected this token for app.hex.tech"), error.getText());
        assertEquals("true", browser.findElement(By.id("api_token")).getDomAttribute("aria-invalid"));
        assertEquals("", browser.findElement(By.id("api_token")).getDomProperty("value"));
        assertEquals("app", browser.findElement(By.id("subdomain")).getDomProperty("value"));
        assertEquals("api_token", browser.switchTo().activeElement().getDomAttribute("id"),
                "focus moves to the field in error");
        assertFalse(browser.getPageSource().contains(wrong));
        shot("connect-error.png");

        String good = hex.personalToken("app");
        type("api_token", good);
        browser.findElement(By.cssSelector("button[type=submit]")).click();
        WebElement heading = waitFor(By.cssSelector("h1.ok"));
        assertEquals("Your Hex account is connected", heading.getText());
        assertTrue(browser.getPageSource().contains("analyst@example.com"));
        assertFalse(browser.getPageSource().contains(good));
        shot("connect-success.png");

        given().header("Authorization", Keys.bearer(Keys.FULL)).queryParam("endUserId", "browser-user")
                .when().get("/connections").then().statusCode(200)
                .body("connections", hasSize(1)).body("connections[0].connection_config.subdomain", equalTo("app"));

        browser.get(link);
        assertEquals("This link has already been used", waitFor(By.tagName("h1")).getText());
        shot("connect-used.png");
    }

    @Test
    void fitsAPhoneScreen() throws IOException {
        String token = ConnectFlow.session("{\"end_user\":{\"id\":\"phone-user\"}}");
        browser.manage().window().setSize(new Dimension(390, 844));
        browser.get("http://localhost:" + RestAssured.port + "/connect?session_token=" + token);
        long scrollWidth = (Long) ((JavascriptExecutor) browser).executeScript("return document.documentElement.scrollWidth");
        long clientWidth = (Long) ((JavascriptExecutor) browser).executeScript("return document.documentElement.clientWidth");
        assertTrue(scrollWidth <= clientWidth, "no horizontal scrolling on a phone");
        shot("connect-form-mobile.png");
    }

    private static void type(String id, String text) {
        WebElement field = browser.findElement(By.id(id));
        field.clear();
        field.sendKeys(text);
    }

    private static WebElement waitFor(By locator) {
        return Chromium.waitFor(browser, locator);
    }

    private static void shot(String name) throws IOException {
        Path file = ((TakesScreenshot) browser).getScreenshotAs(OutputType.FILE).toPath();
        Files.copy(file, SHOTS.resolve(name), StandardCopyOption.REPLACE_EXISTING);
    }
}
