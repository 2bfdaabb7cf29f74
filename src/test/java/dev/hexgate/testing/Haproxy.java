package dev.hexgate.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.stream.Collectors;

/**
 * Debian's HAProxy in front of an OpenBao cluster, the way Vault's documentation puts Vault behind a load balancer: every
 * node is health-checked with {@code GET /v1/sys/health} and only the one answering 200 (the active node) gets traffic.
 */
public final class Haproxy implements AutoCloseable {

    private final int port = Ports.free();
    private final Process process;

    private Haproxy(List<OpenBaoCluster.Node> nodes) throws IOException {
        Path dir = Files.createDirectories(Path.of("target", "haproxy", "h-" + System.nanoTime()));
        String servers = nodes.stream().map(n -> "  server " + n.name + " 127.0.0.1:" + n.port() + " check")
                .collect(Collectors.joining("\n"));
        Files.writeString(dir.resolve("haproxy.cfg"), """
                global
                  maxconn 512
                defaults
                  mode http
                  timeout connect 1s
                  timeout client 30s
                  timeout server 30s
                  retries 2
                  option redispatch
                frontend vault
                  bind 127.0.0.1:%d
                  default_backend active
                backend active
                  option httpchk GET /v1/sys/health
                  http-check expect status 200
                  default-server inter 300ms fall 1 rise 1
                %s
                """.formatted(port, servers));
        process = new ProcessBuilder(binary().toString(), "-db", "-f", dir.resolve("haproxy.cfg").toString())
                .redirectErrorStream(true).redirectOutput(dir.resolve("haproxy.log").toFile()).start();
        if (!Await.until(() -> Ports.accepts(port), Duration.ofSeconds(10))) {
            close();
            throw new IllegalStateException("haproxy did not start; see " + dir.resolve("haproxy.log"));
        }
    }

    public static Haproxy inFrontOf(List<OpenBaoCluster.Node> nodes) {
        try {
            return new Haproxy(nodes);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The binary on the PATH or in /usr/sbin, or null. */
    public static Path binary() {
        return Ports.program("haproxy");
    }

    public String url() {
        return "http://127.0.0.1:" + port;
    }

    @Override
    public void close() {
        process.destroyForcibly();
    }
}
