package dev.hexgate.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The packaged application ({@code target/quarkus-app/quarkus-run.jar}) as its own process, configured by environment
 * variables only, on free ports: for tests that need several replicas or must signal the process.
 */
public final class GatewayProcess implements AutoCloseable {

    private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(2)).build();

    private final int port = Ports.free();
    private final int managementPort = Ports.free();
    private final Path log;
    private final Process process;

    private GatewayProcess(String name, Map<String, String> env) throws IOException {
        log = Files.createDirectories(Path.of("target", "gateways")).resolve(name + ".log");
        String java = ProcessHandle.current().info().command().orElse("java");
        ProcessBuilder builder = new ProcessBuilder(java, "-jar", "target/quarkus-app/quarkus-run.jar")
                .redirectErrorStream(true).redirectOutput(log.toFile());
        Map<String, String> all = new HashMap<>(Map.of(
                "QUARKUS_HTTP_PORT", String.valueOf(port),
                "QUARKUS_MANAGEMENT_PORT", String.valueOf(managementPort),
                "HEXGATE_API_KEYS", Keys.FULL,
                "HEXGATE_PUBLIC_URL", "http://hexgate.invalid",
                "HEXGATE_CONNECT_SESSION_SWEEP_EVERY", "off",
                "HEXGATE_EXPIRING_TOKENS_EVERY", "off",
                "HEXGATE_INDEX_REPAIR_EVERY", "off",
                "QUARKUS_OTEL_SDK_DISABLED", "true"));
        all.putAll(env);
        builder.environment().putAll(all);
        process = builder.start();
    }

    /** Starts one replica and waits until it is ready. */
    public static GatewayProcess start(String name, Map<String, String> env) {
        try {
            GatewayProcess gateway = new GatewayProcess(name, env);
            if (!Await.until(() -> gateway.readiness() == 200, Duration.ofSeconds(60))) {
                gateway.close();
                throw new IllegalStateException(name + " did not become ready; see " + gateway.log);
            }
            return gateway;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public URI uri(String path) {
        return URI.create("http://localhost:" + port + path);
    }

    public Path log() {
        return log;
    }

    public Process process() {
        return process;
    }

    /** The status of {@code /q/health/ready} on the management port, or -1 when nothing answers. */
    public int readiness() {
        try {
            return HTTP.send(HttpRequest.newBuilder(URI.create("http://localhost:" + managementPort + "/q/health/ready"))
                    .timeout(Duration.ofSeconds(3)).build(), HttpResponse.BodyHandlers.discarding()).statusCode();
        } catch (IOException e) {
            return -1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return -1;
        }
    }

    @Override
    public void close() {
        if (process.isAlive()) {
            process.destroyForcibly();
            try {
                process.waitFor(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
