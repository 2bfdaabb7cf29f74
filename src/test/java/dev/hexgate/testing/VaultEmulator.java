package dev.hexgate.testing;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

/**
 * An in-process Vault written from Vault's HTTP API documentation: KV v2 (data, metadata, delete/undelete/destroy, the LIST
 * method), sys/health, token checks with Vault's 403 bodies, sealing and policy denial, and a record of every request.
 * PATCH is not emulated (hexgate never sends it).
 */
public final class VaultEmulator {

    public static final String ROOT_TOKEN = "test-vault-root-token";
    private static final int MAX_BODY = 32 * 1024 * 1024;
    private static final DateTimeFormatter SECONDS = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss")
            .withZone(ZoneOffset.UTC);

    /** One request as Vault received it. */
    public record Received(String method, String path, String query, Map<String, String> headers, String body) {
        public JsonNode json() {
            try {
                return new ObjectMapper().readTree(body);
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
        }
    }

    private static final class Version {
        JsonNode data;
        final String createdTime;
        String deletionTime = "";
        boolean destroyed;

        Version(JsonNode data, String createdTime) {
            this.data = data;
            this.createdTime = createdTime;
        }
    }

    private static final class Secret {
        final TreeMap<Integer, Version> versions = new TreeMap<>();
        int currentVersion;
        String createdTime;
        String updatedTime;
        Map<String, String> customMetadata;
        boolean casRequired;
        int maxVersions;
    }

    private final ObjectMapper mapper = new ObjectMapper().configure(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS, true);
    private final Map<String, Secret> kv = new ConcurrentHashMap<>();
    private final List<Received> received = new CopyOnWriteArrayList<>();
    private final String mount;
    private volatile boolean sealed;
    private volatile boolean denyAll;
    private HttpServer server;
    private int port;

    public VaultEmulator(String mount) {
        this.mount = mount;
    }

    public void start() throws IOException {
        start(0);
    }

    private void start(int port) throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", port), 64);
        server.setExecutor(Executors.newFixedThreadPool(8));
        server.createContext("/", this::handle);
        server.start();
    }

    public void stop() {
        server.stop(0);
    }

    /** Stops listening: connections are refused until {@link #up()}. */
    public synchronized void down() {
        port = server.getAddress().getPort();
        server.stop(0);
    }

    /** Listens again on the same port, with the same data. */
    public synchronized void up() throws IOException {
        start(port);
    }

    /** Removes a secret and all its versions, as another replica's delete would. */
    public synchronized void remove(String path) {
        kv.remove(path);
    }

    public String url() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    public List<Received> received() {
        return List.copyOf(received);
    }

    public void clearReceived() {
        received.clear();
    }

    public void sealed(boolean value) {
        sealed = value;
    }

    /** The token stays valid but its policy refuses everything. */
    public void denyAll(boolean value) {
        denyAll = value;
    }

    /** The latest readable data at a path, or null; what a test reads to see what Vault holds. */
    public synchronized JsonNode latest(String path) {
        Secret s = kv.get(path);
        if (s == null || s.versions.isEmpty()) {
            return null;
        }
        Version v = s.versions.get(s.currentVersion);
        return v == null || v.destroyed || !v.deletionTime.isEmpty() ? null : v.data;
    }

    /** Every version's data still readable at a path (destroyed and soft-deleted ones excluded). */
    public synchronized List<JsonNode> readableVersions(String path) {
        Secret s = kv.get(path);
        List<JsonNode> out = new ArrayList<>();
        if (s != null) {
            s.versions.values().stream().filter(v -> !v.destroyed && v.deletionTime.isEmpty()).forEach(v -> out.add(v.data));
        }
        return out;
    }

    /** Writes a secret directly, as another replica or an operator would. */
    public synchronized void put(String path, JsonNode data) {
        Secret s = kv.computeIfAbsent(path, k -> {
            Secret fresh = new Secret();
            fresh.createdTime = now();
            return fresh;
        });
        s.currentVersion++;
        s.updatedTime = now();
        s.versions.put(s.currentVersion, new Version(data.deepCopy(), s.updatedTime));
    }

    public boolean hasMetadata(String path) {
        return kv.containsKey(path);
    }

    public synchronized void clear() {
        kv.clear();
        received.clear();
        sealed = false;
        denyAll = false;
    }

    private void handle(HttpExchange ex) throws IOException {
        try (ex) {
            byte[] raw = readLimited(ex.getRequestBody());
            String body = raw == null ? "" : new String(raw, StandardCharsets.UTF_8);
            Map<String, String> headers = new TreeMap<>();
            ex.getRequestHeaders().forEach((k, v) -> headers.put(k.toLowerCase(Locale.ROOT), String.join(",", v)));
            String path = ex.getRequestURI().getRawPath();
            String query = ex.getRequestURI().getRawQuery();
            received.add(new Received(ex.getRequestMethod(), path, query, headers, body));
            if (raw == null) {
                error(ex, 413, "failed to parse JSON input: http: request body too large");
                return;
            }
            route(ex, ex.getRequestMethod().toUpperCase(Locale.ROOT), path, query == null ? "" : query, headers, body);
        }
    }

    private void route(HttpExchange ex, String method, String path, String query, Map<String, String> headers, String body)
            throws IOException {
        if (!path.startsWith("/v1/")) {
            error(ex, 404, "no handler for route");
            return;
        }
        String route = path.substring(4);
        if (route.equals("sys/health")) {
            health(ex, method);
            return;
        }
        if (sealed) {
            error(ex, 503, "Vault is sealed");
            return;
        }
        String token = headers.getOrDefault("x-vault-token", "");
        if (token.isEmpty() && headers.getOrDefault("authorization", "").startsWith("Bearer ")) {
            token = headers.get("authorization").substring(7);
        }
        if (token.isEmpty()) {
            error(ex, 403, "1 error occurred:\n\t* permission denied\n\n");
            return;
        }
        if (!token.equals(ROOT_TOKEN)) {
            error(ex, 403, "2 errors occurred:\n\t* permission denied\n\t* invalid token\n\n");
            return;
        }
        if (denyAll) {
            error(ex, 403, "1 error occurred:\n\t* permission denied\n\n");
            return;
        }
        if (!route.startsWith(mount + "/")) {
            error(ex, 404, "no handler for route \"" + route + "\". route entry not found.");
            return;
        }
        String rest = route.substring(mount.length() + 1);
        int slash = rest.indexOf('/');
        String kind = slash < 0 ? rest : rest.substring(0, slash);
        String key = slash < 0 ? "" : trimSlashes(rest.substring(slash + 1));
        JsonNode json;
        try {
            json = body.isBlank() ? mapper.createObjectNode() : mapper.readTree(body);
        } catch (IOException e) {
            error(ex, 400, "failed to parse JSON input: invalid character");
            return;
        }
        boolean list = method.equals("LIST") || (method.equals("GET") && query.contains("list=true"));
        switch (kind) {
            case "data" -> data(ex, method, key, query, json, rest.endsWith("/"));
            case "metadata" -> metadata(ex, list ? "LIST" : method, key, json);
            case "delete", "undelete", "destroy" -> versions(ex, method, kind, key, json);
            default -> respond(ex, 404, envelope(null, List.of("Invalid path for a versioned K/V secrets engine. See the API "
                    + "docs for the appropriate API endpoints to use. If using the Vault CLI, use 'vault kv get' for this operation."),
                    "kv"));
        }
    }

    private synchronized void data(HttpExchange ex, String method, String key, String query, JsonNode json,
            boolean trailingSlash)
            throws IOException {
        switch (method) {
            case "GET" -> {
                Secret s = kv.get(key);
                int wanted = parseVersion(query);
                Version v = s == null ? null : s.versions.get(wanted > 0 ? wanted : s.currentVersion);
                if (v == null) {
                    error(ex, 404);
                    return;
                }
                ObjectNode data = JsonNodeFactory.instance.objectNode();
                boolean hidden = v.destroyed || !v.deletionTime.isEmpty();
                data.set("data", hidden ? null : v.data);
                data.set("metadata", versionMetadata(s, v, wanted > 0 ? wanted : s.currentVersion));
                if (hidden) {
                    ObjectNode env = envelope(data, null, "");
                    respond(ex, 404, env);
                } else {
                    respond(ex, 200, envelope(data, null, "kv"));
                }
            }
            case "POST", "PUT" -> write(ex, key, json, trailingSlash);
            case "DELETE" -> {
                Secret s = kv.get(key);
                if (s != null && s.versions.containsKey(s.currentVersion)) {
                    Version v = s.versions.get(s.currentVersion);
                    if (v.deletionTime.isEmpty()) {
                        v.deletionTime = now();
                    }
                }
                respond(ex, 204, null);
            }
            default -> error(ex, 405, "1 error occurred:\n\t* unsupported operation\n\n");
        }
    }

    private void write(HttpExchange ex, String key, JsonNode json, boolean trailingSlash) throws IOException {
        if (trailingSlash) {
            error(ex, 400, "cannot write to a path ending in '/'");
            return;
        }
        JsonNode data = json.get("data");
        if (data == null || !data.isObject()) {
            error(ex, 400, "no data provided");
            return;
        }
        Secret s = kv.get(key);
        JsonNode options = json.get("options");
        JsonNode cas = options == null || options.isNull() ? null : options.get("cas");
        if (cas != null && !cas.canConvertToInt()) {
            error(ex, 400, "error parsing check-and-set parameter");
            return;
        }
        if (cas == null && s != null && s.casRequired) {
            error(ex, 400, "check-and-set parameter required for this call");
            return;
        }
        if (cas != null && cas.asInt() != (s == null ? 0 : s.currentVersion)) {
            error(ex, 400, "check-and-set parameter did not match the current version");
            return;
        }
        String now = now();
        if (s == null) {
            s = new Secret();
            s.createdTime = now;
            kv.put(key, s);
        }
        s.currentVersion++;
        s.updatedTime = now;
        Version v = new Version(data.deepCopy(), now);
        s.versions.put(s.currentVersion, v);
        int limit = Math.max(s.maxVersions, 0) == 0 ? 10 : s.maxVersions;
        while (s.versions.size() > limit) {
            s.versions.pollFirstEntry();
        }
        List<String> ignored = new ArrayList<>();
        json.fieldNames().forEachRemaining(f -> {
            if (!f.equals("data") && !f.equals("options")) {
                ignored.add(f);
            }
        });
        List<String> warnings = ignored.isEmpty() ? null
                : List.of("Endpoint ignored these unrecognized parameters: " + ignored);
        respond(ex, 200, envelope(versionMetadata(s, v, s.currentVersion), warnings, "kv"));
    }

    private synchronized void metadata(HttpExchange ex, String method, String key, JsonNode json) throws IOException {
        switch (method) {
            case "LIST" -> {
                String prefix = key.isEmpty() ? "" : key + "/";
                TreeSet<String> keys = new TreeSet<>();
                for (String k : kv.keySet()) {
                    if (k.startsWith(prefix)) {
                        String child = k.substring(prefix.length());
                        int slash = child.indexOf('/');
                        keys.add(slash < 0 ? child : child.substring(0, slash + 1));
                    }
                }
                if (keys.isEmpty()) {
                    error(ex, 404);
                    return;
                }
                ObjectNode data = JsonNodeFactory.instance.objectNode();
                ArrayNode arr = data.putArray("keys");
                keys.forEach(arr::add);
                respond(ex, 200, envelope(data, null, "kv"));
            }
            case "GET" -> {
                Secret s = kv.get(key);
                if (s == null) {
                    error(ex, 404);
                    return;
                }
                ObjectNode data = JsonNodeFactory.instance.objectNode();
                data.put("cas_required", s.casRequired);
                data.put("created_time", s.createdTime);
                data.put("current_version", s.currentVersion);
                data.set("custom_metadata", s.customMetadata == null ? null : mapper.valueToTree(s.customMetadata));
                data.put("delete_version_after", "0s");
                data.put("max_versions", s.maxVersions);
                data.put("oldest_version", s.versions.isEmpty() ? 0 : s.versions.firstKey() > 1 ? s.versions.firstKey() : 0);
                data.put("updated_time", s.updatedTime);
                ObjectNode versions = data.putObject("versions");
                s.versions.forEach((n, v) -> {
                    ObjectNode vn = versions.putObject(String.valueOf(n));
                    vn.put("created_time", v.createdTime);
                    vn.put("deletion_time", v.deletionTime);
                    vn.put("destroyed", v.destroyed);
                });
                respond(ex, 200, envelope(data, null, "kv"));
            }
            case "POST", "PUT" -> {
                Secret s = kv.computeIfAbsent(key, k -> {
                    Secret fresh = new Secret();
                    fresh.createdTime = now();
                    fresh.updatedTime = fresh.createdTime;
                    return fresh;
                });
                if (json.has("max_versions")) {
                    s.maxVersions = json.get("max_versions").asInt();
                }
                if (json.has("cas_required")) {
                    s.casRequired = json.get("cas_required").asBoolean();
                }
                if (json.has("custom_metadata") && json.get("custom_metadata").isObject()) {
                    Map<String, String> custom = new TreeMap<>();
                    json.get("custom_metadata").fields().forEachRemaining(e -> custom.put(e.getKey(), e.getValue().asText()));
                    s.customMetadata = custom;
                }
                respond(ex, 204, null);
            }
            case "DELETE" -> {
                kv.remove(key);
                respond(ex, 204, null);
            }
            default -> error(ex, 405, "1 error occurred:\n\t* unsupported operation\n\n");
        }
    }

    private synchronized void versions(HttpExchange ex, String method, String kind, String key, JsonNode json)
            throws IOException {
        if (!method.equals("POST") && !method.equals("PUT")) {
            error(ex, 405, "1 error occurred:\n\t* unsupported operation\n\n");
            return;
        }
        List<Integer> numbers = new ArrayList<>();
        JsonNode versions = json.get("versions");
        if (versions != null && versions.isArray()) {
            versions.forEach(n -> numbers.add(n.asInt()));
        } else if (versions != null && versions.isTextual() && !versions.asText().isBlank()) {
            for (String part : versions.asText().split(",")) {
                numbers.add(Integer.parseInt(part.trim()));
            }
        }
        if (numbers.isEmpty()) {
            error(ex, 400, kind.equals("destroy") ? "no version number provided" : "No version number provided");
            return;
        }
        Secret s = kv.get(key);
        if (s != null) {
            for (int n : numbers) {
                Version v = s.versions.get(n);
                if (v == null) {
                    continue;
                }
                switch (kind) {
                    case "delete" -> v.deletionTime = v.deletionTime.isEmpty() ? now() : v.deletionTime;
                    case "undelete" -> {
                        if (!v.destroyed) {
                            v.deletionTime = "";
                        }
                    }
                    default -> {
                        v.destroyed = true;
                        v.data = null;
                    }
                }
            }
        }
        respond(ex, 204, null);
    }

    private void health(HttpExchange ex, String method) throws IOException {
        int status = sealed ? 503 : 200;
        ObjectNode body = JsonNodeFactory.instance.objectNode();
        body.put("initialized", true);
        body.put("sealed", sealed);
        body.put("standby", sealed);
        body.put("performance_standby", false);
        body.put("replication_performance_mode", "disabled");
        body.put("replication_dr_mode", "disabled");
        body.put("server_time_utc", Instant.now().getEpochSecond());
        body.put("version", "1.17.0");
        if (!sealed) {
            body.put("cluster_name", "vault-cluster-emulator");
            body.put("cluster_id", "00000000-0000-0000-0000-000000000000");
        }
        respond(ex, status, method.equals("HEAD") ? null : body);
    }

    private ObjectNode versionMetadata(Secret s, Version v, int number) {
        ObjectNode meta = JsonNodeFactory.instance.objectNode();
        meta.put("created_time", v.createdTime);
        meta.set("custom_metadata", s.customMetadata == null ? null : mapper.valueToTree(s.customMetadata));
        meta.put("deletion_time", v.deletionTime);
        meta.put("destroyed", v.destroyed);
        meta.put("version", number);
        return meta;
    }

    private ObjectNode envelope(JsonNode data, List<String> warnings, String mountType) {
        ObjectNode env = JsonNodeFactory.instance.objectNode();
        env.put("request_id", UUID.randomUUID().toString());
        env.put("lease_id", "");
        env.put("renewable", false);
        env.put("lease_duration", 0);
        env.set("data", data);
        env.putNull("wrap_info");
        env.set("warnings", warnings == null ? null : mapper.valueToTree(warnings));
        env.putNull("auth");
        env.put("mount_type", mountType);
        return env;
    }

    private void error(HttpExchange ex, int status, String... errors) throws IOException {
        ObjectNode body = JsonNodeFactory.instance.objectNode();
        ArrayNode arr = body.putArray("errors");
        for (String e : errors) {
            arr.add(e);
        }
        respond(ex, status, body);
    }

    private void respond(HttpExchange ex, int status, JsonNode body) throws IOException {
        ex.getResponseHeaders().set("Cache-Control", "no-store");
        if (body == null) {
            ex.sendResponseHeaders(status, -1);
            return;
        }
        // Go's encoder escapes <, > and & and ends the body with a newline.
        String text = mapper.writeValueAsString(body).replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
                + "\n";
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        ex.getResponseHeaders().set("Content-Type", "application/json");
        ex.sendResponseHeaders(status, bytes.length);
        ex.getResponseBody().write(bytes);
    }

    private static byte[] readLimited(InputStream in) throws IOException {
        byte[] bytes = in.readNBytes(MAX_BODY + 1);
        return bytes.length > MAX_BODY ? null : bytes;
    }

    private static int parseVersion(String query) {
        for (String part : query.split("&")) {
            if (part.startsWith("version=")) {
                try {
                    return Integer.parseInt(part.substring(8));
                } catch (NumberFormatException e) {
                    return 0;
                }
            }
        }
        return 0;
    }

    private static String trimSlashes(String key) {
        String k = key;
        while (k.endsWith("/")) {
            k = k.substring(0, k.length() - 1);
        }
        return k;
    }

    /** RFC 3339 UTC with nanoseconds, trailing zeros removed, as Vault writes it. */
    static String now() {
        Instant now = Instant.now();
        String nanos = String.format("%09d", now.getNano()).replaceAll("0+$", "");
        return SECONDS.format(now) + (nanos.isEmpty() ? "" : "." + nanos) + "Z";
    }

    public List<Received> receivedMatching(String method, String pathPrefix) {
        List<Received> out = new ArrayList<>();
        for (Received r : received) {
            if (r.method().equals(method) && r.path().startsWith(pathPrefix)) {
                out.add(r);
            }
        }
        return Collections.unmodifiableList(out);
    }
}
