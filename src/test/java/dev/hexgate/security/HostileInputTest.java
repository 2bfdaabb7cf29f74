package dev.hexgate.security;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.net.Socket;
import java.net.SocketException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.hexgate.testing.FakeHex;
import dev.hexgate.testing.FakeHexResource;
import dev.hexgate.testing.Hostile;
import dev.hexgate.testing.Keys;
import dev.hexgate.testing.Links;
import dev.hexgate.testing.NoSecretsInLogs;
import dev.hexgate.testing.OpenBao;
import dev.hexgate.testing.OpenBaoResource;
import dev.hexgate.testing.RawHttp;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.response.Response;

/**
 * Generated hostile input, more than 10,000 cases a run (seed printed; replay with {@code -Dhexgate.fuzz.seed}). For
 * every case: Hex saw nothing, or one request to {@code <valid label>.hex.tech} under {@code /api} with the stored token
 * and none of the caller's credentials or forwarding headers; nothing was stored for a refused input; a refusal made
 * after routing is Nango-shaped JSON; no response carries the token or a secret key. The oracles below are written
 * independently of the production validation, so loosening a rule there makes them disagree.
 */
@QuarkusTest
@WithTestResource(OpenBaoResource.class)
@WithTestResource(FakeHexResource.class)
@ExtendWith(NoSecretsInLogs.class)
class HostileInputTest {

    private static final long SEED = Hostile.seed();
    private static final AtomicInteger CASES = new AtomicInteger();
    private static final AtomicInteger PARSER_REFUSALS = new AtomicInteger();
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String VICTIM = "victim";
    /** Connection ids linked by earlier cases of this run: a proxy call naming one of them rightly succeeds. */
    private static final Set<String> LINKED = ConcurrentHashMap.newKeySet();

    private static final AtomicBoolean CLEARED = new AtomicBoolean();

    OpenBao vault;
    FakeHex hex;
    String stored;
    Hostile hostile;

    @BeforeEach
    void linkVictim() {
        if (!CLEARED.getAndSet(true)) {
            // Other classes share this gateway and OpenBao: an id one of them linked (ValidationTest links "c") must not
            // turn a generated id into a hit. Deleted through the API, so this replica's token cache forgets them too.
            List<String> ids = given().header("Authorization", Keys.bearer(Keys.FULL)).queryParam("limit", 1000)
                    .when().get("/connections").then().statusCode(200).extract().path("connections.connection_id");
            ids.forEach(id -> given().header("Authorization", Keys.bearer(Keys.FULL)).when().delete("/connections/" + id)
                    .then().statusCode(200));
        }
        hostile = new Hostile(SEED + CASES.get());
        stored = hex.personalToken("app");
        Links.linked(VICTIM, "app", stored);
        hex.clearReceived();
        vault.clearReceived();
    }

    @AfterAll
    static void report() {
        System.out.printf("HostileInputTest: %d generated cases (%d refused by the HTTP parser itself), seed %d%n",
                CASES.get(), PARSER_REFUSALS.get(), SEED);
        assertTrue(CASES.get() >= 10_000, "at least 10,000 generated cases per run, got " + CASES.get());
    }

    @Test
    void subdomainsNeverBecomeAnotherHost() {
        for (int i = 0; i < 2200; i++) {
            String subdomain = hostile.subdomain();
            hex.clearReceived();
            vault.clearReceived();
            Response r = link("fz-sub", subdomain, FakeHex.unknownToken());
            String context = "subdomain " + JSON.valueToTree(subdomain) + " (seed " + SEED + ")";
            if (isDnsLabel(subdomain)) {
                assertEquals(400, r.statusCode(), context);
                assertEquals("connection_test_failed", r.path("error.code"), context);
                assertEquals(1, hex.received().size(), context);
                assertEquals(subdomain + ".hex.tech", hex.last().host(), context);
                assertEquals("/api/v1/users/me", hex.last().rawPath(), context);
            } else {
                assertEquals(400, r.statusCode(), context);
                assertEquals("invalid_body", r.path("error.code"), context);
                assertTrue(hex.received().isEmpty(), "Hex was contacted for " + context);
            }
            assertTrue(vault.receivedMatching("POST", "/v1/").isEmpty(), "something was stored for " + context);
            CASES.incrementAndGet();
        }
    }

    @Test
    void connectionIdsNeverBecomeAnotherVaultPath() {
        for (int i = 0; i < 1600; i++) {
            String id = hostile.connectionId();
            vault.clearReceived();
            hex.clearReceived();
            Response r = link(id, "app", hex.personalToken("app"));
            String context = "connection id " + JSON.valueToTree(id) + " (seed " + SEED + ")";
            List<OpenBao.Received> writes = vault.receivedMatching("POST", "/v1/secret/data/");
            if (isConnectionId(id)) {
                LINKED.add(id);
                assertEquals(201, r.statusCode(), context);
                // The record under its own id, and index entries that end with it; nothing anywhere else.
                assertEquals(1,
                        writes.stream().filter(w -> w.path().startsWith("/v1/secret/data/hexgate/connections/")).count(),
                        context);
                assertEquals("/v1/secret/data/hexgate/connections/" + id, writes.get(0).path(), context);
                for (OpenBao.Received write : writes.subList(1, writes.size())) {
                    assertTrue(write.path().startsWith("/v1/secret/data/hexgate/index/")
                            && (write.path().endsWith("-" + id) || write.path().endsWith("/" + id)),
                            context + ": " + write.path());
                }
            } else {
                assertEquals(400, r.statusCode(), context);
                assertEquals("invalid_body", r.path("error.code"), context);
                assertTrue(writes.isEmpty(), "stored under " + context);
                assertTrue(hex.received().isEmpty(), "Hex was contacted for " + context);
            }
            CASES.incrementAndGet();
        }
    }

    @Test
    void connectionIdHeadersNeverResolveAnythingElse() {
        for (int i = 0; i < 1500; i++) {
            String id = headerSafe(hostile.connectionId());
            hex.clearReceived();
            Answer a = send("GET", "/proxy/v1/projects", Map.of("Connection-Id", id), null);
            String context = "Connection-Id " + JSON.valueToTree(id) + " (seed " + SEED + ")";
            if (a.parserRefusal()) {
                continue;
            }
            if (id.equals(VICTIM) || LINKED.contains(id.trim())) {
                assertEquals(200, a.status(), context);
            } else {
                assertEquals(isConnectionId(id.trim()) ? 404 : 400, a.status(), context + " -> " + a.body());
                assertGatewayError(a, context);
                assertTrue(hex.received().isEmpty(), "Hex was contacted for " + context);
            }
        }
    }

    @Test
    void proxyPathsStayUnderTheBasePath() {
        for (int i = 0; i < 2600; i++) {
            String path = hostile.path();
            hex.clearReceived();
            Answer a = send("GET", "/proxy" + path, Map.of("Connection-Id", VICTIM), null);
            String context = "path " + JSON.valueToTree(path) + " (seed " + SEED + ")";
            if (a.parserRefusal()) {
                assertTrue(hex.received().isEmpty(), context);
                continue;
            }
            if (climbs("/proxy" + path)) {
                assertEquals(400, a.status(), context + " -> " + a.body());
                assertTrue(hex.received().isEmpty(), "a climbing path reached Hex: " + context);
                assertGatewayError(a, context);
            } else if (!hex.received().isEmpty()) {
                assertForwardedSafely(context);
            }
        }
    }

    @Test
    void hostileHeadersNeverReachHex() {
        for (int i = 0; i < 2600; i++) {
            Map<String, String> headers = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
            headers.put("Connection-Id", VICTIM);
            int n = 1 + hostile.nextInt(4);
            List<String> extra = new ArrayList<>();
            for (int h = 0; h < n; h++) {
                String name = hostile.headerName();
                String value = headerSafe(hostile.headerValue());
                extra.add(name + ": " + value);
            }
            boolean post = hostile.chance(30);
            String smuggled = "GET /api/v1/smuggled HTTP/1.1\r\nHost: app.hex.tech\r\nAuthorization: Bearer x\r\n\r\n";
            String body = null;
            if (post && hostile.chance(50)) {
                // TE/CL conflict: a valid chunked body, a Content-Length that would frame it differently, and a request after it.
                body = "7\r\n{\"x\":1}\r\n0\r\n\r\n" + smuggled;
                extra.add("Transfer-Encoding: chunked");
                extra.add("Content-Length: " + hostile.pick(List.of(3, 7, body.length())));
            } else if (post) {
                body = "{\"x\":1}" + smuggled;
                extra.add("Content-Length: 7");
            }
            hex.clearReceived();
            Answer a = sendRaw(post ? "POST" : "GET", "/proxy/v1/test/echo", headers, extra, body);
            String context = "headers " + JSON.valueToTree(extra) + " (seed " + SEED + ")";
            if (a.parserRefusal()) {
                assertTrue(hex.received().isEmpty(), context);
                continue;
            }
            boolean override = extra.stream().anyMatch(h -> h.toLowerCase(Locale.ROOT).startsWith("base-url-override:")
                    && !h.substring(h.indexOf(':') + 1).isBlank());
            if (override) {
                assertTrue(hex.received().isEmpty(), "a Base-Url-Override reached Hex: " + context);
                assertGatewayError(a, context);
            }
            assertTrue(hex.received().size() <= 1, "one request became several upstream: " + context);
            if (!hex.received().isEmpty()) {
                assertForwardedSafely(context);
                assertEquals("/api/v1/test/echo", hex.last().rawPath(), context);
            } else if (a.status() >= 400) {
                assertGatewayError(a, context);
            }
        }
    }

    private void assertForwardedSafely(String context) {
        FakeHex.Received got = hex.last();
        assertEquals("app.hex.tech", got.host(), context);
        assertTrue(got.rawPath().equals("/api") || got.rawPath().startsWith("/api/"), context + " -> " + got.rawPath());
        assertEquals(List.of("Bearer " + stored), got.headers().get("authorization"), context);
        for (String name : got.headers().keySet()) {
            assertFalse(name.equals("cookie") || name.equals("proxy-authorization") || name.equals("forwarded")
                    || name.startsWith("x-forwarded-") || name.equals("x-real-ip") || name.startsWith("nango-")
                    || name.equals("connection-id") || name.equals("provider-config-key") || name.equals("base-url-override")
                    || name.equals("retries") || name.equals("retry-on"), "'" + name + "' reached Hex: " + context);
            for (String value : got.headers().get(name)) {
                assertFalse(value.contains(Keys.FULL) || value.contains(Keys.PROXY_ONLY),
                        "a secret key reached Hex: " + context);
                assertFalse(value.contains("CALLER"), "a caller-supplied credential reached Hex: " + context);
            }
        }
    }

    private void assertGatewayError(Answer a, String context) {
        assertTrue(a.status() >= 400 && a.status() < 500, context + " -> " + a.status());
        try {
            JsonNode error = JSON.readTree(a.body()).get("error");
            assertTrue(error != null && error.get("code").asText().matches("[a-z_]+") && error.has("message"),
                    "not a Nango-shaped error: " + a.body() + " for " + context);
        } catch (IOException e) {
            fail("not JSON: " + a.body() + " for " + context);
        }
    }

    private Response link(String connectionId, String subdomain, String token) {
        ObjectNode body = JSON.createObjectNode().put("provider_config_key", "hex").put("connection_id", connectionId);
        body.putObject("connection_config").put("subdomain", subdomain);
        body.putObject("credentials").put("type", "API_KEY").put("apiKey", token);
        Response r = given().header("Authorization", Keys.bearer(Keys.FULL)).contentType(ContentType.JSON)
                .body(body.toString()).when().post("/connections");
        assertNoSecrets(r.asString() + r.getHeaders());
        return r;
    }

    /** What came back on the wire; a refusal by the HTTP parser carries no X-Request-Id: no route ever saw it. */
    private record Answer(int status, Map<String, String> headers, String body) {
        boolean parserRefusal() {
            boolean refused = status >= 400 && !headers.containsKey("x-request-id");
            if (refused) {
                PARSER_REFUSALS.incrementAndGet();
            }
            return refused;
        }
    }

    private Answer send(String method, String target, Map<String, String> headers, String body) {
        return sendRaw(method, target, headers, List.of(), body);
    }

    private Answer sendRaw(String method, String target, Map<String, String> headers, List<String> extra, String body) {
        CASES.incrementAndGet();
        StringBuilder request = new StringBuilder(method).append(' ').append(target).append(" HTTP/1.1\r\nHost: localhost\r\n")
                .append("Authorization: ").append(Keys.bearer(Keys.FULL)).append("\r\nConnection: close\r\n");
        headers.forEach((k, v) -> request.append(k).append(": ").append(v).append("\r\n"));
        extra.forEach(h -> request.append(h).append("\r\n"));
        if (body != null && extra.stream().noneMatch(h -> h.toLowerCase(Locale.ROOT).startsWith("transfer-encoding")
                || h.toLowerCase(Locale.ROOT).startsWith("content-length"))) {
            request.append("Content-Length: ").append(body.getBytes(StandardCharsets.UTF_8).length).append("\r\n");
        }
        request.append("\r\n");
        if (body != null) {
            request.append(body);
        }
        try (Socket socket = new Socket("localhost", RawHttp.port())) {
            socket.setSoTimeout(20_000);
            socket.getOutputStream().write(request.toString().getBytes(StandardCharsets.UTF_8));
            String raw = new String(socket.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertNoSecrets(raw);
            if (!raw.startsWith("HTTP/1.")) {
                fail("no HTTP answer to " + JSON.valueToTree(request.toString()));
            }
            return parse(raw);
        } catch (SocketException reset) {
            // The HTTP server itself dropped the connection (e.g. a malformed h2c upgrade): no route saw the request.
            return new Answer(400, Map.of(), "");
        } catch (IOException e) {
            throw new IllegalStateException("the gateway broke the connection for " + JSON.valueToTree(request.toString()), e);
        }
    }

    private void assertNoSecrets(String response) {
        assertFalse(response.contains(stored), "a response carried the stored token");
        assertFalse(response.contains(Keys.FULL) || response.contains(Keys.PROXY_ONLY), "a response carried a secret key");
        assertFalse(response.contains("CALLER"), "a response echoed a caller-supplied credential");
    }

    private static Answer parse(String raw) {
        int end = raw.indexOf("\r\n\r\n");
        if (end < 0) {
            fail("no HTTP answer: " + JSON.valueToTree(raw));
        }
        String[] lines = raw.substring(0, end).split("\r\n");
        Map<String, String> headers = new TreeMap<>();
        for (int i = 1; i < lines.length; i++) {
            int colon = lines[i].indexOf(':');
            headers.put(lines[i].substring(0, colon).trim().toLowerCase(Locale.ROOT), lines[i].substring(colon + 1).trim());
        }
        return new Answer(Integer.parseInt(lines[0].substring(9, 12)), headers, raw.substring(end + 4));
    }

    // ---- Oracles, written without the production patterns ----

    /** RFC 1035 label, lower case: 1–63 of a-z 0-9 '-', not starting or ending with '-'. */
    static boolean isDnsLabel(String s) {
        if (s.isEmpty() || s.length() > 63 || s.charAt(0) == '-' || s.charAt(s.length() - 1) == '-') {
            return false;
        }
        return s.chars().allMatch(c -> (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-');
    }

    /** 1–255 characters, a letter or digit first, then letters, digits and . _ : @ + = ~ - only. */
    static boolean isConnectionId(String s) {
        if (s.isEmpty() || s.length() > 255 || !Character.isLetterOrDigit(s.charAt(0)) || s.charAt(0) > 'z') {
            return false;
        }
        return s.chars().allMatch(c -> (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
                || "._:@+=~-".indexOf(c) >= 0);
    }

    /** The path part of a request target. */
    static String requestPath(String target) {
        int q = target.indexOf('?');
        int h = target.indexOf('#');
        int end = q < 0 ? (h < 0 ? target.length() : h) : (h < 0 ? q : Math.min(q, h));
        return target.substring(0, end);
    }

    /**
     * A '..' segment (separators / or \; a ';' path parameter ignored) after any number of percent-decodings, or
     * undecodable escapes, or an escaped '%' (a '%' left after one decoding), or a '#' in the target.
     */
    static boolean climbs(String target) {
        if (target.contains("#")) {
            return true;
        }
        String current = requestPath(target);
        for (int round = 0; round < 5; round++) {
            for (String segment : current.split("[/\\\\]", -1)) {
                int semicolon = segment.indexOf(';');
                if ((semicolon < 0 ? segment : segment.substring(0, semicolon)).equals("..")) {
                    return true;
                }
            }
            String decoded;
            try {
                decoded = URLDecoder.decode(current.replace("+", "%2B"), StandardCharsets.UTF_8);
            } catch (IllegalArgumentException e) {
                return true;
            }
            if (round == 0 && decoded.contains("%")) {
                return true;
            }
            if (decoded.equals(current)) {
                return false;
            }
            current = decoded;
        }
        return true;
    }

    /** Header values cannot carry CR or LF on the wire (that is a different request, not a header). */
    private static String headerSafe(String value) {
        return value.replace("\r", "").replace("\n", "");
    }
}
