package dev.hexgate.testing;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

import org.junit.jupiter.api.Assumptions;
import org.openqa.selenium.By;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;

/**
 * Real headless Chromium (Debian's chromium and chromium-driver) for the browser tests. Required in CI (CI=true);
 * elsewhere a test without it is skipped.
 */
public final class Chromium {

    private static final Path BINARY = Path.of("/usr/bin/chromium");
    private static final Path DRIVER = Path.of("/usr/bin/chromedriver");

    private Chromium() {
    }

    public static ChromeDriver start() {
        boolean installed = Files.isExecutable(BINARY) && Files.isExecutable(DRIVER);
        if (!installed && !"true".equals(System.getenv("CI"))) {
            Assumptions.abort("Chromium not installed: apt-get install chromium chromium-driver (required in CI)");
        }
        assertTrue(installed,
                "CI needs /usr/bin/chromium and /usr/bin/chromedriver (apt-get install chromium chromium-driver)");
        try {
            ChromeOptions options = new ChromeOptions().setBinary(BINARY.toFile())
                    .addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                            "--disable-quic", "--no-first-run", "--disable-background-networking",
                            "--disable-component-update", "--disable-sync",
                            "--user-data-dir=" + Files.createTempDirectory("hexgate-chromium"));
            ChromeDriverService service = new ChromeDriverService.Builder().usingDriverExecutable(DRIVER.toFile()).build();
            ChromeDriver browser = new ChromeDriver(service, options);
            browser.manage().timeouts().pageLoadTimeout(Duration.ofSeconds(30));
            return browser;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The element, once it is there (15 s at most); on failure the message shows where the browser is and what it has. */
    public static WebElement waitFor(ChromeDriver browser, By locator) {
        assertTrue(Await.until(() -> !browser.findElements(locator).isEmpty(), Duration.ofSeconds(15)),
                () -> "waiting for " + locator + " on " + browser.getCurrentUrl() + ": " + browser.getPageSource());
        return browser.findElement(locator);
    }
}
