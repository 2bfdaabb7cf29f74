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
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * Three OpenBao servers on loopback forming one integrated-storage (Raft) cluster: one active node, two standbys that
 * forward requests to it, and a new leader elected when the active one dies. Set up as an operator would: init and
 * unseal the first, the others join it, a KV v2 mount, the shipped policy and a token for the gateway.
 */
public final class OpenBaoCluster implements AutoCloseable {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    /** One server of the cluster. */
    public final class Node {
        final String name;
        final int port = Ports.free();
        final int clusterPort = Ports.free();
        final Path dir;
        Process process;

        Node(String name) {
            this.name = name;
            this.dir = base.resolve(name);
        }

        public String url() {
            return "http://127.0.0.1:" + port;
        }

        public int port() {
            return port;
        }

        public boolean alive() {
            return process != null && process.isAlive();
        }

        void start(Node first) throws IOException {
            Files.createDirectories(dir.resolve("data"));
            String join = first == this ? "" : "\n  retry_join {\n    leader_api_addr = \"" + first.url() + "\"\n  }";
            Files.writeString(dir.resolve("server.hcl"), """
                    disable_mlock = true
                    storage "raft" {
                      path = "%s"
                      node_id = "%s"%s
                    }
                    listener "tcp" {
                      address = "127.0.0.1:%d"
                      cluster_address = "127.0.0.1:%d"
                      tls_disable = true
                    }
                    api_addr = "%s"
                    cluster_addr = "https://127.0.0.1:%d"
                    """.formatted(dir.resolve("data"), name, join, port, clusterPort, url(), clusterPort));
            process = new ProcessBuilder(OpenBao.binary().toString(), "server", "-config=" + dir.resolve("server.hcl"))
                    .redirectErrorStream(true).redirectOutput(dir.resolve("server.log").toFile()).start();
        }

        /** {@code /v1/sys/health}: 200 active, 429 standby, 503 sealed, 501 not initialised; -1 when not answering. */
        public int health() {
            return status("GET", url() + "/v1/sys/health");
        }
    }

    private final Path base;
    private final List<Node> nodes = new ArrayList<>();
    private String unsealKey;
    private String rootToken;
    private String gatewayToken;

    private OpenBaoCluster(Path base) {
        this.base = base;
    }

    /** Starts three nodes and waits until all three are voters of one cluster with an active leader. */
    public static OpenBaoCluster start() {
        OpenBaoCluster cluster = new OpenBaoCluster(Path.of("target", "openbao-cluster", "c-" + System.nanoTime())
                .toAbsolutePath());
        try {
            cluster.form();
        } catch (IOException e) {
            cluster.close();
            throw new UncheckedIOException(e);
        } catch (RuntimeException e) {
            cluster.close();
            throw e;
        }
        return cluster;
    }

    private void form() throws IOException {
        for (String name : List.of("n1", "n2", "n3")) {
            nodes.add(new Node(name));
        }
        Node first = nodes.get(0);
        for (Node node : nodes) {
            node.start(first);
        }
        must(Await.until(() -> first.health() > 0, Duration.ofSeconds(30)), "n1 answers");
        JsonNode init = call("PUT", first, "sys/init", "{\"secret_shares\":1,\"secret_threshold\":1}", null);
        unsealKey = init.path("keys_base64").get(0).asText();
        rootToken = init.path("root_token").asText();
        call("PUT", first, "sys/unseal", "{\"key\":\"" + unsealKey + "\"}", null);
        must(Await.until(() -> first.health() == 200, Duration.ofSeconds(30)), "n1 becomes active");
        for (Node node : nodes.subList(1, 3)) {
            // A joining node with a Shamir seal needs the key too: it joins, then unseals with it.
            must(Await.until(() -> unsealed(node), Duration.ofSeconds(60)), node.name + " joins and unseals");
        }
        must(Await.until(() -> voters() == 3, Duration.ofSeconds(60)), "three voters");
        call("POST", first, "sys/mounts/secret", "{\"type\":\"kv\",\"options\":{\"version\":\"2\"}}", rootToken);
        ObjectNode policy = JSON.createObjectNode().put("policy", Files.readString(OpenBao.POLICY));
        call("PUT", first, "sys/policies/acl/hexgate", policy.toString(), rootToken);
        gatewayToken = call("POST", first, "auth/token/create",
                "{\"policies\":[\"hexgate\"],\"no_default_policy\":true,\"ttl\":\"1h\",\"renewable\":true}", rootToken)
                .path("auth").path("client_token").asText();
    }

    private boolean unsealed(Node node) {
        if (node.health() == 429 || node.health() == 200) {
            return true;
        }
        try {
            call("PUT", node, "sys/unseal", "{\"key\":\"" + unsealKey + "\"}", null);
        } catch (RuntimeException e) {
            return false;
        }
        return node.health() == 429 || node.health() == 200;
    }

    private int voters() {
        try {
            JsonNode servers = call("GET", active().orElseThrow(), "sys/storage/raft/configuration", null, rootToken)
                    .path("data").path("config").path("servers");
            int voters = 0;
            for (JsonNode server : servers) {
                voters += server.path("voter").asBoolean() ? 1 : 0;
            }
            return voters;
        } catch (RuntimeException e) {
            return 0;
        }
    }

    public List<Node> nodes() {
        return List.copyOf(nodes);
    }

    public String rootToken() {
        return rootToken;
    }

    /** A token holding only the shipped policy (not even "default"), an hour to live. */
    public String gatewayToken() {
        return gatewayToken;
    }

    /** The node answering {@code /v1/sys/health} with 200, if any. */
    public Optional<Node> active() {
        return nodes.stream().filter(Node::alive).filter(n -> n.health() == 200).findFirst();
    }

    public Optional<Node> standby() {
        return nodes.stream().filter(Node::alive).filter(n -> n.health() == 429).findFirst();
    }

    /** SIGKILL, as a crashed machine: no step-down, no handover. */
    public void kill(Node node) {
        node.process.destroyForcibly();
        try {
            node.process.waitFor();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** The latest version of a secret under the KV mount, read as root through the active node; null when absent. */
    public JsonNode latest(String path) {
        JsonNode data = call("GET", active().orElseThrow(), "secret/data/" + path, null, rootToken).path("data").path("data");
        return data.isObject() ? data : null;
    }

    private JsonNode call(String method, Node node, String path, String body, String token) {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(node.url() + "/v1/" + path))
                .timeout(Duration.ofSeconds(10))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        if (token != null) {
            request.header("X-Vault-Token", token);
        }
        try {
            HttpResponse<String> response = HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
            if (response.statusCode() == 404 && method.equals("GET")) {
                return JSON.createObjectNode();
            }
            if (response.statusCode() >= 300) {
                throw new IllegalStateException(method + " " + path + " on " + node.name + " -> " + response.statusCode()
                        + " " + response.body());
            }
            return response.body().isBlank() ? JSON.createObjectNode() : JSON.readTree(response.body());
        } catch (IOException e) {
            throw new UncheckedIOException(method + " " + path + " on " + node.name, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static int status(String method, String url) {
        try {
            return HTTP.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(2))
                    .method(method, HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.discarding())
                    .statusCode();
        } catch (IOException e) {
            return -1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return -1;
        }
    }

    private void must(boolean condition, String what) {
        if (!condition) {
            throw new IllegalStateException("OpenBao cluster: not reached: " + what + "; see the logs in " + base);
        }
    }

    @Override
    public void close() {
        for (Node node : nodes) {
            if (node.process != null) {
                node.process.destroyForcibly();
            }
        }
    }
}
