package dev.hexgate.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import dev.hexgate.testing.Await;
import dev.hexgate.testing.FakeHex;
import dev.hexgate.testing.GatewayProcess;
import dev.hexgate.testing.Keys;
import dev.hexgate.testing.Links;
import dev.hexgate.testing.Trickle;

/**
 * SIGTERM to the packaged application while a slow download and a slow upload are in flight: readiness goes DOWN first,
 * both transfers finish, a late request is served but told to take its next request elsewhere ({@code Connection: close}),
 * and the process exits. Started here rather than by
 * {@code @QuarkusIntegrationTest}, which cannot signal the process it runs.
 */
class GracefulShutdownIT {

    private static final HttpClient CLIENT = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(2)).build();
    private static final long DOWNLOAD = 4L * 1024 * 1024;

    private final FakeHex hex = new FakeHex();
    private GatewayProcess gateway;
    private Process app;
    private Path log;

    @BeforeEach
    void start() throws Exception {
        hex.start();
        Path dir = Files.createTempDirectory(Path.of("target"), "shutdown-store-");
        gateway = GatewayProcess.start("graceful-shutdown-it", Map.ofEntries(
                Map.entry("QUARKUS_SHUTDOWN_DELAY", "1s"),
                Map.entry("QUARKUS_SHUTDOWN_TIMEOUT", "20s"),
                Map.entry("HEXGATE_STORE", "file"),
                Map.entry("HEXGATE_STORE_FILE_DIR", dir.toString()),
                Map.entry("HEXGATE_UPSTREAM_SCHEME", "http"),
                Map.entry("HEXGATE_UPSTREAM_CONNECT_TO", hex.address()),
                Map.entry("HEXGATE_PROXY_TIMEOUT", "15s"),
                // An operator who quiets the logs: audit lines must still be written.
                Map.entry("QUARKUS_LOG_LEVEL", "WARN")));
        app = gateway.process();
        log = gateway.log();
    }

    @AfterEach
    void stop() {
        if (gateway != null) {
            gateway.close();
        }
        hex.stop();
    }

    @Test
    void sigtermLetsASlowDownloadAndASlowUploadFinishAndClosesLateConnections() throws Exception {
        String token = hex.personalToken("app");
        HttpResponse<String> linked = CLIENT.send(HttpRequest.newBuilder(uri("/connections"))
                .header("Authorization", Keys.bearer(Keys.FULL)).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(Links.body("drain-1", "app", token))).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(201, linked.statusCode(), linked.body());

        // The download stops halfway until the gate opens; the upload trickles over about three seconds.
        hex.closeDownloadGate();
        CompletableFuture<HttpResponse<InputStream>> download = CLIENT.sendAsync(
                proxy("/proxy/v1/test/download?bytes=" + DOWNLOAD + "&hold=" + DOWNLOAD / 2).GET().build(),
                HttpResponse.BodyHandlers.ofInputStream());
        CompletableFuture<HttpResponse<String>> upload = CLIENT.sendAsync(
                proxy("/proxy/v1/test/upload").POST(HttpRequest.BodyPublishers.ofInputStream(() -> new Trickle(6, 1000, 500)))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        assertTrue(Await.until(() -> hex.downloadSent() >= DOWNLOAD / 2, Duration.ofSeconds(10)), "the download is held");

        long signalled = System.nanoTime();
        app.destroy(); // SIGTERM
        assertTrue(Await.until(() -> gateway.readiness() == 503, Duration.ofSeconds(2)),
                "readiness reports DOWN during the shutdown delay");
        Thread.sleep(1500); // past QUARKUS_SHUTDOWN_DELAY: now draining
        HttpResponse<Void> late = CLIENT.send(proxy("/proxy/v1/projects").GET().build(),
                HttpResponse.BodyHandlers.discarding());
        hex.openDownloadGate();

        HttpResponse<InputStream> downloaded = download.get(20, TimeUnit.SECONDS);
        assertEquals(200, downloaded.statusCode());
        long bytes;
        try (InputStream body = downloaded.body()) {
            bytes = body.transferTo(OutputStream.nullOutputStream());
        }
        assertEquals(DOWNLOAD, bytes, "the download finished whole after SIGTERM");
        HttpResponse<String> uploaded = upload.get(20, TimeUnit.SECONDS);
        assertEquals(200, uploaded.statusCode(), uploaded.body());
        assertTrue(uploaded.body().contains("\"bytes\":6000"), uploaded.body());
        assertEquals(200, late.statusCode(), "a request that arrives while the gateway drains is still served");
        assertEquals("close", late.headers().firstValue("Connection").orElse(""),
                "and its connection is closed, so the client's next request goes to another replica");

        assertTrue(app.waitFor(25, TimeUnit.SECONDS), "the process exited after draining");
        long tookMs = (System.nanoTime() - signalled) / 1_000_000;
        String output = Files.readString(log, StandardCharsets.UTF_8);
        assertFalse(output.contains(token), "the token was never logged");
        assertTrue(output.contains("\"audit\":\"link\""), "QUARKUS_LOG_LEVEL=WARN does not silence the audit trail");
        System.out.printf("GracefulShutdownIT: exit %d %d ms after SIGTERM; download %d bytes, upload %s, late request %d%n",
                app.exitValue(), tookMs, bytes, uploaded.body(), late.statusCode());
    }

    private HttpRequest.Builder proxy(String path) {
        return HttpRequest.newBuilder(uri(path)).timeout(Duration.ofSeconds(30))
                .header("Authorization", Keys.bearer(Keys.FULL)).header("Connection-Id", "drain-1");
    }

    private URI uri(String path) {
        return gateway.uri(path);
    }
}
