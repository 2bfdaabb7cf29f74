package dev.hexgate.proxy;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Map;

import jakarta.inject.Inject;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import dev.hexgate.testing.FakeHex;
import dev.hexgate.testing.FakeHexResource;
import dev.hexgate.testing.Keys;
import dev.hexgate.testing.Links;
import dev.hexgate.testing.Management;
import dev.hexgate.testing.NoSecretsInLogs;
import dev.hexgate.testing.OpenBaoResource;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.specification.RequestSpecification;

/** Retries as docs/contract.md §6 fixes them, with what the caller got and how many attempts reached Hex. */
@QuarkusTest
@WithTestResource(OpenBaoResource.class)
@WithTestResource(FakeHexResource.class)
@ExtendWith(NoSecretsInLogs.class)
class RetryTest {

    private static final String PROJECTS = "/api/v1/projects";
    private static final String RUNS = "/api/v1/projects/p-1/runs";

    FakeHex hex;
    @Inject
    RetryBuffers buffers;

    @BeforeEach
    void link() {
        Links.linked("retry-1", "app", hex.personalToken("app"));
        hex.clearFaults();
        hex.clearReceived();
    }

    private static RequestSpecification proxy(int retries) {
        return given().header("Authorization", Keys.bearer(Keys.FULL)).header("Connection-Id", "retry-1")
                .header("Retries", String.valueOf(retries));
    }

    @Test
    void retriesA429ForAPostAfterRetryAfterAndReplaysTheBody() {
        hex.failNext(RUNS, new FakeHex.Status(429, Map.of("Retry-After", "1")));
        proxy(2).contentType("application/json").body("{\"inputParams\":{\"region\":\"eu\"}}")
                .when().post("/proxy/v1/projects/p-1/runs").then().statusCode(201);
        List<FakeHex.Received> runs = hex.received().stream().filter(r -> r.rawPath().equals(RUNS)).toList();
        assertEquals(2, runs.size());
        assertEquals(runs.get(0).bodySha256(), runs.get(1).bodySha256(), "the same body both times");
        assertTrue(runs.get(1).bodyLength() > 0);
        assertEquals(0, buffers.used(), "the kept body went back to the shared budget");
    }

    @Test
    void aRetryAfterTheConnectionWasDeletedAnswers404AndNeverSendsTheOldToken() throws Exception {
        hex.failNext(PROJECTS, new FakeHex.Status(429, Map.of("Retry-After", "2")));
        Thread deleter = new Thread(() -> {
            try {
                Thread.sleep(500);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            given().header("Authorization", Keys.bearer(Keys.FULL)).when().delete("/connections/retry-1").then()
                    .statusCode(200);
        });
        deleter.start();
        proxy(1).when().get("/proxy/v1/projects").then().statusCode(404).body("error.code", equalTo("unknown_connection"));
        deleter.join();
        assertEquals(1, hex.attempts(PROJECTS), "the waiting retry was not sent");
    }

    @Test
    void honoursRetryAfterAsAnHttpDate() {
        String inOneSecond = DateTimeFormatter.RFC_1123_DATE_TIME.format(ZonedDateTime.now(ZoneOffset.UTC).plusSeconds(1));
        hex.failNext(PROJECTS, new FakeHex.Status(429, Map.of("Retry-After", inOneSecond)));
        proxy(1).when().get("/proxy/v1/projects").then().statusCode(200);
        assertEquals(2, hex.attempts(PROJECTS));
    }

    @Test
    void neverRetriesAPostOn503SoARunIsNeverStartedTwice() {
        hex.failNext(RUNS, new FakeHex.Status(503), new FakeHex.Status(503));
        proxy(3).contentType("application/json").body("{}").when().post("/proxy/v1/projects/p-1/runs").then().statusCode(503)
                .body("message", equalTo("scripted 503"));
        assertEquals(1, hex.attempts(RUNS));
    }

    @Test
    void retriesAGetOn502503504WithBackoff() {
        hex.failNext(PROJECTS, new FakeHex.Status(502), new FakeHex.Status(503), new FakeHex.Status(504));
        proxy(3).when().get("/proxy/v1/projects").then().statusCode(200).body("values[0].title", equalTo("Revenue"));
        assertEquals(4, hex.attempts(PROJECTS));
    }

    @Test
    void returnsTheLastAnswerWhenRetriesRunOut() {
        hex.failNext(PROJECTS, new FakeHex.Status(503), new FakeHex.Status(503), new FakeHex.Status(503));
        proxy(1).when().get("/proxy/v1/projects").then().statusCode(503);
        assertEquals(2, hex.attempts(PROJECTS));
    }

    @Test
    void capsRetriesAtTheConfiguredMaximum() {
        for (int i = 0; i < 10; i++) {
            hex.failNext(PROJECTS, new FakeHex.Status(503));
        }
        proxy(50).when().get("/proxy/v1/projects").then().statusCode(503);
        assertEquals(4, hex.attempts(PROJECTS), "HEXGATE_PROXY_MAX_RETRIES=3 in tests");
    }

    @Test
    void neverRetries401Or403EvenWhenAskedTo() {
        hex.failNext(PROJECTS, new FakeHex.Status(401), new FakeHex.Status(403));
        proxy(3).header("Retry-On", "401,403").when().get("/proxy/v1/projects").then().statusCode(401);
        assertEquals(1, hex.attempts(PROJECTS));
    }

    @Test
    void passesA429OnAtOnceWhenItsRetryAfterIsLongerThanTheBudget() {
        hex.failNext(PROJECTS, new FakeHex.Status(429, Map.of("Retry-After", "3600")));
        proxy(3).when().get("/proxy/v1/projects").then().statusCode(429).header("Retry-After", "3600");
        assertEquals(1, hex.attempts(PROJECTS), "passed on without waiting or retrying");
    }

    @Test
    void addsRetryOnCodesForIdempotentMethodsOnly() {
        hex.failNext(PROJECTS, new FakeHex.Status(500));
        proxy(1).header("Retry-On", "500").when().get("/proxy/v1/projects").then().statusCode(200);
        assertEquals(2, hex.attempts(PROJECTS));
        hex.failNext(RUNS, new FakeHex.Status(500));
        proxy(1).header("Retry-On", "500").contentType("application/json").body("{}")
                .when().post("/proxy/v1/projects/p-1/runs").then().statusCode(500);
        assertEquals(1, hex.attempts(RUNS));
    }

    @Test
    void retriesAConnectionClosedBeforeAnAnswerForAGetButNotForAPost() {
        hex.failNext(PROJECTS, new FakeHex.Reset());
        proxy(1).when().get("/proxy/v1/projects").then().statusCode(200);
        assertEquals(2, hex.attempts(PROJECTS));
        hex.failNext(RUNS, new FakeHex.Reset());
        proxy(1).contentType("application/json").body("{}").when().post("/proxy/v1/projects/p-1/runs").then().statusCode(502)
                .body("error.code", equalTo("upstream_unreachable"));
        assertEquals(1, hex.attempts(RUNS));
    }

    @Test
    void neverRetriesAfterAResponseTimeout() {
        proxy(3).when().get("/proxy/v1/test/delay?ms=3000").then().statusCode(504).body("error.code",
                equalTo("upstream_timeout"));
        assertEquals(1, hex.attempts("/api/v1/test/delay"));
    }

    @Test
    void doesNotRetryABodyTooLargeToKeep() {
        hex.failNext("/api/v1/test/upload", new FakeHex.Status(503));
        proxy(3).contentType("application/octet-stream").body(new byte[2 * 1024 * 1024])
                .when().put("/proxy/v1/test/upload").then().statusCode(503);
        assertEquals(1, hex.attempts("/api/v1/test/upload"));
    }

    @Test
    void doesNotRetryWithoutARetriesHeaderByDefault() {
        hex.failNext(PROJECTS, new FakeHex.Status(503));
        given().header("Authorization", Keys.bearer(Keys.FULL)).header("Connection-Id", "retry-1")
                .when().get("/proxy/v1/projects").then().statusCode(503);
        assertEquals(1, hex.attempts(PROJECTS));
    }

    @Test
    void refusesAMalformedRetryOn() {
        proxy(1).header("Retry-On", "5xx").when().get("/proxy/v1/projects").then().statusCode(400)
                .body("error.code", equalTo("invalid_headers"));
        assertEquals(0, hex.attempts(PROJECTS));
    }

    @Test
    void countsRetriesInMetrics() {
        hex.failNext(PROJECTS, new FakeHex.Status(503));
        proxy(1).when().get("/proxy/v1/projects").then().statusCode(200);
        Management.given().when().get("/q/metrics").then().statusCode(200)
                .body(containsString("hexgate_proxy_retries_total{reason=\"503\"}"))
                .body(containsString(
                        "hexgate_proxy_requests_seconds_count{method=\"GET\",outcome=\"proxied\",status=\"2xx\"}"));
    }
}
