package dev.hexgate.proxy;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.nullValue;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.hexgate.testing.FakeHex;
import dev.hexgate.testing.FakeHexResource;
import dev.hexgate.testing.Keys;
import dev.hexgate.testing.Links;
import dev.hexgate.testing.NoSecretsInLogs;
import dev.hexgate.testing.OpenBaoResource;
import dev.hexgate.testing.RawHttp;
import dev.hexgate.testing.Trickle;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;

/**
 * The HTTP hop itself, as a platform team would exercise it: slow uploads, {@code Expect: 100-continue}, callers that stall,
 * keep-alive after a refusal, and what crosses in each direction. The test profile sets {@code HEXGATE_PROXY_TIMEOUT=2s}.
 */
@QuarkusTest
@WithTestResource(OpenBaoResource.class)
@WithTestResource(FakeHexResource.class)
@ExtendWith(NoSecretsInLogs.class)
class ProxyHopTest {

    private static final Path LOG = Path.of("target/hexgate-test.log");
    private static final HttpClient CLIENT = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    FakeHex hex;

    @BeforeEach
    void link() {
        Links.linked("hop-1", "app", hex.personalToken("app"));
        hex.clearReceived();
        hex.clearFaults();
    }

    @Test
    void anUploadSlowerThanTheTimeoutSucceedsWhileItKeepsMoving() throws Exception {
        // 8 chunks 500 ms apart: 4 s of upload against a 2 s timeout that only starts once the body is sent.
        HttpRequest request = HttpRequest.newBuilder(RawHttp.gateway("/proxy/v1/test/upload"))
                .timeout(Duration.ofSeconds(30))
                .header("Authorization", Keys.bearer(Keys.FULL)).header("Connection-Id", "hop-1")
                .POST(HttpRequest.BodyPublishers.ofInputStream(() -> new Trickle(8, 1000, 500)))
                .build();
        HttpResponse<String> response = CLIENT.send(request, HttpResponse.BodyHandlers.ofString());
        assertEquals(200, response.statusCode(), response.body());
        JsonNode got = new ObjectMapper().readTree(response.body());
        assertEquals(8000, got.get("bytes").asLong());
    }

    @Test
    void aCallerThatStallsMidUploadGets408AndItsLateBytesGoNowhere() throws Exception {
        long completeBefore = occurrences("Request already complete");
        try (Socket s = open()) {
            OutputStream out = s.getOutputStream();
            out.write(head("POST", "/proxy/v1/test/upload", Keys.FULL, "Transfer-Encoding: chunked\r\n"));
            out.write("3e8\r\n".getBytes(StandardCharsets.US_ASCII));
            out.write(new byte[1000]);
            out.write("\r\n".getBytes(StandardCharsets.US_ASCII));
            out.flush();
            String answer = readResponse(s.getInputStream(), Duration.ofSeconds(6));
            assertTrue(answer.startsWith("HTTP/1.1 408"), answer);
            assertTrue(answer.contains("\"request_timeout\""), answer);
            try {
                for (int i = 0; i < 20; i++) {
                    out.write("3e8\r\n".getBytes(StandardCharsets.US_ASCII));
                    out.write(new byte[1000]);
                    out.write("\r\n".getBytes(StandardCharsets.US_ASCII));
                }
                out.write("0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
                out.flush();
            } catch (IOException closed) {
                // the gateway closed the connection after its answer: the late bytes had nowhere to go
            }
        }
        Thread.sleep(500);
        assertEquals(completeBefore, occurrences("Request already complete"), "a late body chunk hit a finished request");
        assertTrue(hex.received().stream().noneMatch(r -> r.bodyLength() >= 1000),
                "Hex never saw the stalled body as complete");
    }

    @Test
    void cutsOffAChunkedBodyOverTheLimitWith413() throws Exception {
        long limit = 25L * 1024 * 1024;
        try (Socket s = open()) {
            OutputStream out = s.getOutputStream();
            out.write(head("POST", "/proxy/v1/test/upload", Keys.FULL, "Transfer-Encoding: chunked\r\n"));
            Thread writer = new Thread(() -> {
                byte[] chunk = new byte[64 * 1024];
                byte[] size = (Integer.toHexString(chunk.length) + "\r\n").getBytes(StandardCharsets.US_ASCII);
                try {
                    for (long sent = 0; sent <= limit + 1024 * 1024; sent += chunk.length) {
                        out.write(size);
                        out.write(chunk);
                        out.write("\r\n".getBytes(StandardCharsets.US_ASCII));
                    }
                    out.write("0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
                    out.flush();
                } catch (IOException closed) {
                    // the gateway stopped reading and closed the connection: expected once the limit is passed
                }
            });
            writer.start();
            String answer = readResponse(s.getInputStream(), Duration.ofSeconds(20));
            writer.join(20_000);
            assertTrue(answer.startsWith("HTTP/1.1 413"), answer);
            assertTrue(answer.contains("\"request_too_large\""), answer);
        }
        assertTrue(hex.received().stream().noneMatch(r -> r.bodyLength() > limit), "Hex never got the oversize body whole");
    }

    @Test
    void answers100ContinueOnceTheRequestIsAllowed() throws Exception {
        try (Socket s = open()) {
            OutputStream out = s.getOutputStream();
            out.write(head("POST", "/proxy/v1/test/echo", Keys.FULL, "Content-Length: 5\r\nExpect: 100-continue\r\n"));
            out.flush();
            String interim = readHead(s.getInputStream(), Duration.ofSeconds(3));
            assertTrue(interim.startsWith("HTTP/1.1 100"), interim);
            out.write("hello".getBytes(StandardCharsets.US_ASCII));
            out.flush();
            String answer = readResponse(s.getInputStream(), Duration.ofSeconds(5));
            assertTrue(answer.startsWith("HTTP/1.1 200"), answer);
        }
        assertEquals(5, hex.last().bodyLength());
        assertNull(hex.last().header("Expect"), "the expectation is the gateway's to answer, not Hex's");
    }

    @Test
    void refusesInsteadOfContinuingWhenTheKeyIsWrong() throws Exception {
        try (Socket s = open()) {
            OutputStream out = s.getOutputStream();
            out.write(head("POST", "/proxy/v1/test/echo", "not-a-key", "Content-Length: 5\r\nExpect: 100-continue\r\n"));
            out.flush();
            String answer = readResponse(s.getInputStream(), Duration.ofSeconds(3));
            assertTrue(answer.startsWith("HTTP/1.1 401"), answer);
        }
        assertTrue(hex.received().isEmpty());
    }

    @Test
    void aRefusedBodilessRequestKeepsTheConnectionAlive() throws Exception {
        try (Socket s = open()) {
            OutputStream out = s.getOutputStream();
            out.write(head("GET", "/proxy/v1/projects", "not-a-key", ""));
            out.flush();
            String refused = readResponse(s.getInputStream(), Duration.ofSeconds(3));
            assertTrue(refused.startsWith("HTTP/1.1 401"), refused);
            assertFalse(refused.toLowerCase(Locale.ROOT).contains("connection: close"), refused);
            out.write(head("GET", "/proxy/v1/projects", Keys.FULL, ""));
            out.flush();
            String served = readResponse(s.getInputStream(), Duration.ofSeconds(3));
            assertTrue(served.startsWith("HTTP/1.1 200"), served);
        }
    }

    @Test
    void aPostWithoutABodyReachesHexWithContentLengthZero() throws Exception {
        try (Socket s = open()) {
            s.getOutputStream().write(head("POST", "/proxy/v1/test/echo", Keys.FULL, ""));
            s.getOutputStream().flush();
            String answer = readResponse(s.getInputStream(), Duration.ofSeconds(3));
            assertTrue(answer.startsWith("HTTP/1.1 200"), answer);
        }
        assertEquals("0", hex.last().header("Content-Length"));
        assertNull(hex.last().header("Transfer-Encoding"));
    }

    @Test
    void cookiesAndAltSvcStayWithHexAndBaggageStaysWithTheCaller() {
        hex.failNext("/api/v1/test/echo", new FakeHex.Status(200,
                Map.of("Set-Cookie", "hexsession=abc; Secure", "Alt-Svc", "h3=\":443\"", "X-Hex-Extra", "kept")));
        given().header("Authorization", Keys.bearer(Keys.FULL)).header("Connection-Id", "hop-1")
                .header("baggage", "userId=alice")
                .header("traceparent", "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01")
                .when().get("/proxy/v1/test/echo").then().statusCode(200)
                .header("Set-Cookie", nullValue()).header("Alt-Svc", nullValue()).header("X-Hex-Extra", equalTo("kept"));
        assertNull(hex.last().header("baggage"));
        // The trace continues (same trace id, still sampled), one hop further: the parent is now the gateway's span.
        String sent = hex.last().header("traceparent");
        assertTrue(sent.matches("00-0af7651916cd43dd8448eb211c80319c-[0-9a-f]{16}-01") && !sent.contains("b7ad6b7169203331"),
                sent);
    }

    @Test
    void givesHexATraceContextEvenWhenNothingIsRecorded() {
        // The default samples no request of its own (QUARKUS_OTEL_TRACES_SAMPLER_ARG=0): Hex still gets a trace id to quote.
        given().header("Authorization", Keys.bearer(Keys.FULL)).header("Connection-Id", "hop-1")
                .when().get("/proxy/v1/projects").then().statusCode(200);
        String sent = hex.last().header("traceparent");
        assertTrue(sent != null && sent.matches("00-[0-9a-f]{32}-[0-9a-f]{16}-00"), String.valueOf(sent));
    }

    private static Socket open() throws IOException {
        Socket s = new Socket("localhost", RestAssured.port);
        s.setSoTimeout(8000);
        return s;
    }

    private static byte[] head(String method, String path, String key, String extra) {
        return (method + " " + path + " HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer " + key
                + "\r\nConnection-Id: hop-1\r\n" + extra + "\r\n").getBytes(StandardCharsets.US_ASCII);
    }

    /** One response head, up to and including its blank line. */
    private static String readHead(InputStream in, Duration within) throws IOException {
        long deadline = System.nanoTime() + within.toNanos();
        ByteArrayOutputStream got = new ByteArrayOutputStream();
        while (System.nanoTime() < deadline) {
            int b = in.read();
            if (b < 0) {
                break;
            }
            got.write(b);
            if (got.toString(StandardCharsets.ISO_8859_1).endsWith("\r\n\r\n")) {
                break;
            }
        }
        return got.toString(StandardCharsets.ISO_8859_1);
    }

    /** One whole response with a Content-Length body (all the gateway's own answers and the fake's JSON have one). */
    private static String readResponse(InputStream in, Duration within) throws IOException {
        String head;
        try {
            head = readHead(in, within);
        } catch (SocketTimeoutException e) {
            return "(no answer)";
        }
        while (head.startsWith("HTTP/1.1 100")) {
            head = readHead(in, within);
        }
        String lower = head.toLowerCase(Locale.ROOT);
        int at = lower.indexOf("content-length:");
        if (at < 0) {
            return head;
        }
        int length = Integer.parseInt(lower.substring(at + 15, lower.indexOf("\r\n", at)).trim());
        byte[] body = in.readNBytes(length);
        return head + new String(body, StandardCharsets.UTF_8);
    }

    private static long occurrences(String text) throws IOException {
        if (!Files.exists(LOG)) {
            return 0;
        }
        String all = Files.readString(LOG, StandardCharsets.UTF_8);
        long n = 0;
        for (int i = all.indexOf(text); i >= 0; i = all.indexOf(text, i + 1)) {
            n++;
        }
        return n;
    }
}
