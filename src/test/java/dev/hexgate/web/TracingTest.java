package dev.hexgate.web;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Predicate;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import dev.hexgate.testing.Await;
import dev.hexgate.testing.ConnectFlow;
import dev.hexgate.testing.FakeHex;
import dev.hexgate.testing.FakeHexResource;
import dev.hexgate.testing.Keys;
import dev.hexgate.testing.Links;
import dev.hexgate.testing.NoSecretsInLogs;
import dev.hexgate.testing.OpenBao;
import dev.hexgate.testing.OpenBaoResource;
import dev.hexgate.testing.RecordedSpans;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;

/**
 * OpenTelemetry: a request, its hop to Hex and its Vault calls form one trace that continues the caller's; no span carries
 * a token, a secret key or a connect-session token; log lines name the request and the trace.
 */
@QuarkusTest
@TestProfile(TracingTest.TracedWithAccessLog.class)
@WithTestResource(OpenBaoResource.class)
@WithTestResource(FakeHexResource.class)
@ExtendWith(NoSecretsInLogs.class)
class TracingTest {

    /**
     * Every request traced (the production default, QUARKUS_OTEL_TRACES_SAMPLER_ARG=1.0) and the access log switched on, as
     * an operator would with QUARKUS_HTTP_ACCESS_LOG_ENABLED=true.
     */
    public static class TracedWithAccessLog implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("quarkus.otel.traces.sampler.arg", "1.0", "quarkus.http.access-log.enabled", "true");
        }
    }

    private static final String TRACE = "4bf92f3577b34da6a3ce929d0e0e4736";
    private static final String CALLER_SPAN = "00f067aa0ba902b7";

    FakeHex hex;
    OpenBao vault;

    @Inject
    RecordedSpans spans;

    @Test
    void continuesTheCallersTraceThroughTheGatewayToHexAndVault() {
        String token = hex.personalToken("app");
        spans.clear();
        given().header("traceparent", "00-" + TRACE + "-" + CALLER_SPAN + "-01")
                .header("Authorization", Keys.bearer(Keys.FULL)).contentType("application/json")
                .body(Links.body("traced-1", "app", token)).when().post("/connections").then().statusCode(201);

        SpanData server = await(s -> s.getKind() == SpanKind.SERVER && s.getTraceId().equals(TRACE));
        assertEquals(CALLER_SPAN, server.getParentSpanId(), "the gateway's span is a child of the caller's");
        SpanData toHex = await(s -> s.getKind() == SpanKind.CLIENT && s.getTraceId().equals(TRACE)
                && url(s).contains("app.hex.tech") && url(s).contains("/api/v1/users/me"));
        SpanData toVault = await(s -> s.getKind() == SpanKind.CLIENT && s.getTraceId().equals(TRACE)
                && url(s).contains("/v1/secret/data/hexgate/connections/"));
        assertEquals(server.getSpanId(), toHex.getParentSpanId());
        assertEquals(server.getSpanId(), toVault.getParentSpanId());
        String sent = hex.received().stream().filter(r -> r.rawPath().equals("/api/v1/users/me")).reduce((a, b) -> b)
                .orElseThrow().header("traceparent");
        assertEquals("00-" + TRACE + "-" + toHex.getSpanId() + "-01", sent, "Hex sees the trace, with the hop as parent");
    }

    @Test
    void proxiedRequestsCarryTheTraceToHex() {
        Links.linked("traced-2", "app", hex.personalToken("app"));
        spans.clear();
        given().header("traceparent", "00-" + TRACE + "-" + CALLER_SPAN + "-01")
                .header("Authorization", Keys.bearer(Keys.FULL)).header("Connection-Id", "traced-2")
                .when().get("/proxy/v1/projects?limit=2").then().statusCode(200);
        // The hop is traced by the gateway's own proxy tracer (ProxyTracing), with the same parentage as everything else.
        SpanData server = await(s -> s.getKind() == SpanKind.SERVER && s.getTraceId().equals(TRACE)
                && s.getName().equals("GET /proxy/{path}"));
        assertEquals(CALLER_SPAN, server.getParentSpanId(), "the gateway's span is a child of the caller's");
        assertEquals("/proxy/v1/projects", server.getAttributes().get(AttributeKey.stringKey("url.path")));
        assertEquals(200L, server.getAttributes().get(AttributeKey.longKey("http.response.status_code")));
        SpanData toHex = await(s -> s.getKind() == SpanKind.CLIENT && s.getTraceId().equals(TRACE)
                && url(s).contains("/api/v1/projects"));
        assertEquals(server.getSpanId(), toHex.getParentSpanId());
        assertEquals("app.hex.tech", toHex.getAttributes().get(AttributeKey.stringKey("server.address")));
        assertEquals(200L, toHex.getAttributes().get(AttributeKey.longKey("http.response.status_code")));
        assertEquals("http://app.hex.tech/api/v1/projects?" + SpanRedaction.REDACTED, url(toHex).replaceFirst(":[0-9]+/", "/"));
        assertEquals("00-" + TRACE + "-" + toHex.getSpanId() + "-01", hex.last().header("traceparent"));
    }

    @Test
    void aProxyRequestRefusedForTheCallersMistakeIsNotAnErrorSpan() {
        spans.clear();
        given().header("traceparent", "00-" + TRACE + "-" + CALLER_SPAN + "-01")
                .header("Authorization", Keys.bearer(Keys.FULL)).header("Connection-Id", "never-linked")
                .when().get("/proxy/v1/projects").then().statusCode(404);
        SpanData server = await(s -> s.getKind() == SpanKind.SERVER && s.getTraceId().equals(TRACE)
                && s.getName().equals("GET /proxy/{path}"));
        assertEquals(404L, server.getAttributes().get(AttributeKey.longKey("http.response.status_code")));
        assertEquals(StatusCode.UNSET, server.getStatus().getStatusCode(), "a caller's mistake is not the gateway's error");
        assertTrue(spans.ended().stream().noneMatch(s -> s.getKind() == SpanKind.CLIENT && url(s).contains("hex.tech")),
                "Hex was not contacted");
    }

    @Test
    void noSpanCarriesATokenAKeyOrAConnectSessionToken() {
        String token = hex.personalToken("app");
        spans.clear();
        Links.linked("traced-3", "app", token);
        given().header("Authorization", Keys.bearer(Keys.FULL)).header("Connection-Id", "traced-3")
                .when().get("/proxy/v1/projects?limit=5").then().statusCode(200);
        String session = ConnectFlow.session("{\"end_user\":{\"id\":\"traced-user\"}}");
        ConnectFlow.submit(session, "app", hex.personalToken("app")).then().statusCode(200);

        SpanData page = await(s -> s.getKind() == SpanKind.SERVER && "GET".equals(method(s))
                && "/connect".equals(s.getAttributes().get(AttributeKey.stringKey("url.path"))));
        assertEquals(SpanRedaction.REDACTED, page.getAttributes().get(AttributeKey.stringKey("url.query")));
        List<SpanData> all = spans.ended();
        for (String secret : List.of(token, Keys.FULL, session, vault.gatewayToken())) {
            assertTrue(all.stream().noneMatch(s -> s.toString().contains(secret)), "a span holds a secret");
        }
        assertFalse(all.stream().anyMatch(s -> s.toString().contains("limit=5")), "no query string is recorded");
    }

    @Test
    void logLinesNameTheRequestAndItsTrace() throws Exception {
        given().header("X-Request-Id", "req-logged-7").header("traceparent", "00-" + TRACE + "-" + CALLER_SPAN + "-01")
                .header("Authorization", "Bearer not-a-key-of-this-gateway-0123").header("Connection-Id", "traced-4")
                .when().get("/proxy/v1/projects").then().statusCode(401);
        Path log = Path.of("target", "hexgate-test.log");
        assertTrue(Await.until(() -> lines(log).stream().anyMatch(l -> l.contains("request_id=req-logged-7 trace_id=" + TRACE)),
                Duration.ofSeconds(5)), "the audit line of the refused request names its request and trace");
        assertTrue(lines(log).stream().filter(l -> l.contains("request_id=req-logged-7")).allMatch(l -> l.contains(TRACE)));
    }

    @Test
    void accessLogLinesCarryThePathStatusAndRequestIdButNoQueryString() {
        String session = ConnectFlow.session("{\"end_user\":{\"id\":\"logged-user\"}}");
        given().header("X-Request-Id", "req-access-9").queryParam("session_token", session).when().get("/connect").then()
                .statusCode(200);
        Path log = Path.of("target", "hexgate-test.log");
        assertTrue(Await.until(() -> lines(log).stream().anyMatch(l -> l.contains("\"GET /connect HTTP/1.1\" 200")
                && l.contains("request_id=req-access-9")), Duration.ofSeconds(5)), "one access line for the page");
        assertTrue(lines(log).stream().noneMatch(l -> l.contains(session)), "the session token is not in the log");
    }

    private static List<String> lines(Path log) {
        try {
            return Files.readAllLines(log, StandardCharsets.UTF_8);
        } catch (Exception e) {
            return List.of();
        }
    }

    private SpanData await(Predicate<SpanData> wanted) {
        assertTrue(Await.until(() -> find(wanted).isPresent(), Duration.ofSeconds(10)),
                () -> "no such span in " + spans.ended());
        return find(wanted).orElseThrow();
    }

    private Optional<SpanData> find(Predicate<SpanData> wanted) {
        return spans.ended().stream().filter(wanted).findFirst();
    }

    private static String url(SpanData span) {
        String full = span.getAttributes().get(AttributeKey.stringKey("url.full"));
        return full == null ? "" : full;
    }

    private static String method(SpanData span) {
        return span.getAttributes().get(AttributeKey.stringKey("http.request.method"));
    }
}
