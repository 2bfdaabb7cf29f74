package dev.hexgate.testing;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A real HTTP CONNECT egress proxy (Debian's {@code tinyproxy}) on a loopback port, logging every request it relays. Where
 * the binary is missing the tests that need it are skipped, except in CI, which installs it.
 */
public final class Tinyproxy implements AutoCloseable {

    private final Path dir;
    private final int port;
    private Process process;

    private Tinyproxy(Path dir, int port) {
        this.dir = dir;
        this.port = port;
    }

    /** The binary on the PATH, or null. */
    public static Path binary() {
        return Ports.program("tinyproxy");
    }

    public static Tinyproxy start() throws IOException {
        Path dir = Files.createTempDirectory(Files.createDirectories(Path.of("target")), "tinyproxy-");
        Tinyproxy proxy = new Tinyproxy(dir, Ports.free());
        proxy.launch();
        return proxy;
    }

    private void launch() throws IOException {
        // No ConnectPort line: CONNECT is allowed to any port (the fake Hex listens on a random one).
        Files.writeString(dir.resolve("tinyproxy.conf"), String.join("\n",
                "Port " + port, "Listen 127.0.0.1", "Timeout 60", "LogFile \"" + log().toAbsolutePath() + "\"",
                "LogLevel Info", "MaxClients 64", "Allow 127.0.0.1", "DisableViaHeader Yes", ""));
        process = new ProcessBuilder(binary().toString(), "-d", "-c", dir.resolve("tinyproxy.conf").toString())
                .redirectErrorStream(true).redirectOutput(dir.resolve("stdout.log").toFile()).start();
        if (!Await.until(() -> Ports.accepts(port), Duration.ofSeconds(10))) {
            close();
            throw new IllegalStateException("tinyproxy did not start: " + Files.readString(dir.resolve("stdout.log")));
        }
    }

    public String url() {
        return "http://127.0.0.1:" + port;
    }

    /** The CONNECT requests tinyproxy relayed, as it logged them ({@code CONNECT host:port HTTP/1.1}). */
    public List<String> connects() {
        try {
            // e.g. "CONNECT   Dec 06 04:21:57.284 [9288]: Request (file descriptor 5): CONNECT 127.0.0.1:36583 HTTP/1.1"
            return Files.readAllLines(log(), StandardCharsets.UTF_8).stream().filter(l -> l.contains("]: Request "))
                    .map(l -> l.substring(l.indexOf("): ") + 3)).filter(r -> r.startsWith("CONNECT ")).toList();
        } catch (IOException e) {
            return List.of();
        }
    }

    /**
     * Kills the proxy, and with it every open tunnel (a polite stop would wait for the gateway's pooled tunnels to idle
     * out); {@link #restart()} brings it back on the same port.
     */
    public void stop() {
        if (process != null) {
            process.destroyForcibly();
            try {
                process.waitFor(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    public void restart() throws IOException {
        launch();
    }

    private Path log() {
        return dir.resolve("tinyproxy.log");
    }

    @Override
    public void close() {
        stop();
    }
}
