package dev.hexgate.security;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.hexgate.auth.SecretKeys;
import dev.hexgate.testing.Await;
import dev.hexgate.testing.ConnectFlow;
import dev.hexgate.testing.FakeHex;
import dev.hexgate.testing.FakeHexResource;
import dev.hexgate.testing.Keys;
import dev.hexgate.testing.Links;
import dev.hexgate.testing.Management;
import dev.hexgate.testing.NoSecretsInLogs;
import dev.hexgate.testing.OpenBaoResource;
import dev.hexgate.testing.RawHttp;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;

/** The audit trail (one JSON line per security event, no secrets) and the slow-down of repeated failed authentication. */
@QuarkusTest
@WithTestResource(OpenBaoResource.class)
@WithTestResource(FakeHexResource.class)
@ExtendWith(NoSecretsInLogs.class)
class AuditAndThrottleTest {

    private static final Path LOG = Path.of("target/hexgate-test.log");

    FakeHex hex;

    private static List<JsonNode> audit(String action, String connectionId) {
        ObjectMapper mapper = new ObjectMapper();
        try {
            return Files.readAllLines(LOG).stream().filter(l -> l.contains("{\"audit\":\"" + action + "\""))
                    .map(l -> l.substring(l.indexOf("{\"audit\"")))
                    .map(json -> {
                        try {
                            return mapper.readTree(json);
                        } catch (IOException e) {
                            throw new IllegalStateException(e);
                        }
                    })
                    .filter(n -> connectionId == null || connectionId.equals(n.path("connection_id").asText(null)))
                    .toList();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    @Test
    void writesOneAuditLinePerLinkReplaceDeleteAndSessionUse() {
        String token = hex.personalToken("app");
        Links.linked("audited-1", "app", token);
        Links.linked("audited-1", "app", hex.personalToken("app"));
        Links.link(Links.body("audited-2", "app", FakeHex.unknownToken())).statusCode(400);
        given().header("Authorization", Keys.bearer(Keys.FULL)).when().delete("/connections/audited-1").then().statusCode(200);
        String session = ConnectFlow.session("{\"end_user\":{\"id\":\"audit-user\"}}");
        ConnectFlow.submit(session, "app", hex.personalToken("app")).then().statusCode(200);

        assertTrue(
                Await.until(() -> audit("connect", null).stream().anyMatch(n -> n.get("actor").asText().startsWith("session_")),
                        Duration.ofSeconds(5)),
                "session use audited");
        List<String> links = audit("link", "audited-1").stream().map(n -> n.get("outcome").asText()).toList();
        assertTrue(links.containsAll(List.of("created", "replaced")), links.toString());
        assertEquals("refused:connection_test_failed", audit("link", "audited-2").get(0).get("outcome").asText());
        assertEquals("deleted", audit("delete", "audited-1").get(0).get("outcome").asText());
        JsonNode line = audit("link", "audited-1").get(0);
        assertTrue(line.get("actor").asText().matches("key_[0-9a-f]{12}"), "a stable, non-reversible key id");
        assertFalse(line.toString().contains(Keys.FULL.substring(0, 12)));
    }

    @Test
    void auditsWhoCreatedAConnectSessionAndCountsProxyUseByKey() {
        ConnectFlow.session("{\"end_user\":{\"id\":\"audit-session-user\"}}");
        assertTrue(Await.until(() -> audit("connect_session", null).stream()
                .anyMatch(n -> n.get("outcome").asText().equals("created")
                        && n.get("actor").asText().matches("key_[0-9a-f]{12}")),
                Duration.ofSeconds(5)), "creating a session is audited with the key that asked for it");
        Links.linked("audited-3", "app", hex.personalToken("app"));
        double before = proxyOnlyKeyRequests();
        for (int i = 0; i < 3; i++) {
            given().header("Authorization", Keys.bearer(Keys.PROXY_ONLY)).header("Connection-Id", "audited-3")
                    .when().get("/proxy/v1/projects").then().statusCode(200);
        }
        assertEquals(before + 3, proxyOnlyKeyRequests(), "three proxy requests counted for the proxy-only key");
        String metrics = Management.given().when().get("/q/metrics").asString();
        assertFalse(metrics.contains("audited-3"), "connection ids are never metric tags");
        assertFalse(metrics.contains(Keys.PROXY_ONLY));
    }

    /** {@code hexgate_proxy_key_requests_total} of the proxy-only key, found by its key id. */
    private static double proxyOnlyKeyRequests() {
        String prefix = "hexgate_proxy_key_requests_total{key_id=\"" + SecretKeys.keyId(Keys.bearer(Keys.PROXY_ONLY)) + "\"}";
        return Management.given().when().get("/q/metrics").asString().lines().filter(l -> l.startsWith(prefix))
                // The value, before any exemplar (" # {span_id=…}") tracing adds.
                .mapToDouble(l -> Double.parseDouble(l.substring(prefix.length()).trim().split(" ")[0])).sum();
    }

    @Test
    void auditsDeniedRequests() {
        given().header("Authorization", "Bearer wrong-key-for-audit").when().get("/connections").then().statusCode(401);
        given().header("Authorization", Keys.bearer(Keys.PROXY_ONLY)).when().get("/connections").then().statusCode(403);
        assertTrue(audit("denied", null).stream().anyMatch(n -> n.get("outcome").asText().equals("unknown_secret_key")));
        assertTrue(audit("denied", null).stream().anyMatch(n -> n.get("outcome").asText().equals("forbidden")));
    }

    @Test
    void slowsDownRepeatedFailuresFromOneAddressWithoutAffectingOthers() throws Exception {
        for (int i = 0; i < 5; i++) {
            assertEquals(null, answer("127.0.0.2", "Bearer guess-" + i).retryAfter(),
                    "the first five failures are not held back");
        }
        Answer held = null;
        for (int i = 0; i < 4; i++) {
            held = answer("127.0.0.2", "Bearer guess-more-" + i);
        }
        assertEquals("401", held.status());
        assertEquals("1", held.retryAfter(), "the ninth failure in a minute is held back and says so");
        // A lower bound only: a held-back answer cannot come before its timer (800 ms for the ninth failure).
        assertTrue(held.millis() >= 700, "held back " + held.millis() + " ms");
        assertEquals(null, answer("127.0.0.3", "Bearer someone-else").retryAfter(), "another address is not held back");
        assertEquals("404", answer("127.0.0.2", Keys.bearer(Keys.FULL)).status(), "a correct key from the same address passes");
    }

    private record Answer(String status, String retryAfter, long millis) {
    }

    /** One GET /proxy from a chosen loopback source address. */
    private static Answer answer(String from, String authorization) throws IOException {
        try (Socket socket = new Socket(InetAddress.getByName("localhost"), RawHttp.port(), InetAddress.getByName(from), 0)) {
            socket.setSoTimeout(10_000);
            OutputStream out = socket.getOutputStream();
            long started = System.nanoTime();
            out.write(("GET /proxy/v1/projects HTTP/1.1\r\nHost: x\r\nConnection: close\r\nConnection-Id: nobody\r\n"
                    + "Authorization: " + authorization + "\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1));
            InputStream in = socket.getInputStream();
            String text = new String(in.readAllBytes(), StandardCharsets.ISO_8859_1);
            long elapsed = (System.nanoTime() - started) / 1_000_000;
            String retryAfter = null;
            for (String line : text.substring(0, text.indexOf("\r\n\r\n")).split("\r\n")) {
                if (line.toLowerCase().startsWith("retry-after:")) {
                    retryAfter = line.substring(12).trim();
                }
            }
            return new Answer(text.substring(9, 12), retryAfter, elapsed);
        }
    }
}
