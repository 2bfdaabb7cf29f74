package dev.hexgate.ops;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.not;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.annotation.Annotation;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Collectors;

import jakarta.inject.Inject;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.PATCH;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import com.fasterxml.jackson.databind.JsonNode;
import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.domain.JavaMethod;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;

import dev.hexgate.domain.Validation;
import dev.hexgate.error.AllowedMethods;
import dev.hexgate.error.ErrorCode;
import dev.hexgate.testing.Await;
import dev.hexgate.testing.FakeHex;
import dev.hexgate.testing.FakeHexResource;
import dev.hexgate.testing.Keys;
import dev.hexgate.testing.Links;
import dev.hexgate.testing.Management;
import dev.hexgate.testing.NoSecretsInLogs;
import dev.hexgate.testing.OpenBaoResource;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.vertx.core.Vertx;

/**
 * What operators rely on: metrics without identifiers, the expiring-token gauge, OpenAPI, all on the management port.
 */
@QuarkusTest
@WithTestResource(OpenBaoResource.class)
@WithTestResource(FakeHexResource.class)
@ExtendWith(NoSecretsInLogs.class)
class OperationsTest {

    FakeHex hex;

    @Inject
    ExpiringTokens expiring;

    @Inject
    Vertx vertx;

    @Test
    void countsConnectionsWhoseTokenExpiresWithinAWeek() {
        Links.linked("expires-soon", "app", hex.personalTokenExpiringIn("app", 3 * 86400));
        Links.linked("expires-later", "app", hex.personalTokenExpiringIn("app", 30 * 86400));
        Links.linked("never-expires", "app", hex.workspaceToken("app"));
        expiring.recount().await().indefinitely();
        assertTrue(Await.until(
                () -> Management.given().when().get("/q/metrics").asString().contains("hexgate_connections_expiring 1.0"),
                Duration.ofSeconds(10)), "gauge counts exactly the connection expiring in 3 days");
    }

    @Test
    void measuresHowLateTheEventLoopsRunWhatIsScheduledOnThem() throws Exception {
        // Each loop is sampled every 100 ms: within a second every one has been sampled a few times.
        Thread.sleep(1000);
        double before = metric("hexgate_event_loop_delay_seconds_count");
        assertTrue(before >= 10, "samples from every event loop: " + before);
        // A handler that holds a loop for 300 ms: the probe due on that loop in the meantime runs late by about as much.
        vertx.runOnContext(v -> {
            long until = System.nanoTime() + Duration.ofMillis(300).toNanos();
            while (System.nanoTime() < until) {
                Thread.onSpinWait();
            }
        });
        assertTrue(Await.until(() -> metric("hexgate_event_loop_delay_seconds_max") >= 0.15, Duration.ofSeconds(5)),
                "a blocked loop shows in the delay's maximum");
    }

    private static double metric(String name) {
        return Management.given().when().get("/q/metrics").asString().lines().filter(l -> l.startsWith(name + " "))
                .mapToDouble(l -> Double.parseDouble(l.substring(name.length() + 1))).findFirst().orElse(0);
    }

    @Test
    void exposesMetricsWithoutConnectionIdsTokensOrKeys() {
        Links.linked("metric-secret-name", "app", hex.personalToken("app"));
        given().header("Authorization", Keys.bearer(Keys.FULL)).header("Connection-Id", "metric-secret-name")
                .when().get("/proxy/v1/projects").then().statusCode(200);
        given().header("Authorization", Keys.bearer(Keys.FULL)).header("Connection-Id", "metric-secret-name")
                .when().get("/proxy/v1/path-with-hxtp_0123456789abcdefPATH").then().statusCode(200);
        Management.given().when().get("/q/metrics").then().statusCode(200)
                .body(containsString("hexgate_proxy_requests_seconds_count"))
                .body(containsString("hexgate_token_cache_requests_total"))
                .body(containsString("hexgate_store_operations_seconds_count"))
                .body(not(containsString("metric-secret-name")))
                .body(not(containsString("path-with")))
                .body(not(containsString("/proxy/v1")))
                // Proxied requests are timed once, by hexgate_proxy_requests; Quarkus's per-path timer leaves /proxy out.
                .body(not(containsString("uri=\"/proxy")))
                .body(containsString("http_server_requests_seconds_count{"))
                .body(not(containsString("hxtp_")))
                .body(not(containsString(Keys.FULL)));
    }

    @Test
    void servesHealthMetricsAndOpenApiOnlyOnTheManagementPort() {
        for (String path : new String[] { "/q/health/ready", "/q/health/live", "/q/metrics", "/q/openapi" }) {
            given().when().get(path).then().statusCode(404);
            Management.given().when().get(path).then().statusCode(200);
        }
    }

    @Test
    void documentsTheBackendApiAndTheProxyInOpenApi() {
        Management.given().queryParam("format", "json").when().get("/q/openapi").then().statusCode(200)
                .body(containsString("\"/connections\""))
                .body(containsString("\"/connections/{connectionId}\""))
                .body(containsString("\"/connect/sessions\""))
                .body(containsString("\"/proxy/{path}\""))
                .body(containsString("Connection-Id"));
    }

    /**
     * The OpenAPI document is written by hand, so this keeps it whole: every JAX-RS route of the code is in it with its
     * method, nothing else is (besides the Vert.x {@code /proxy} route), every secured operation documents 401, and
     * every JSON error answer is the one error shape.
     */
    @Test
    void theOpenApiDocumentHasEveryRouteTheCodeServesAndNoOther() {
        JsonNode document = Management.given().queryParam("format", "json").when().get("/q/openapi").then()
                .statusCode(200).extract().as(JsonNode.class);
        Set<String> documented = new TreeSet<>();
        document.path("paths").fields().forEachRemaining(path -> path.getValue().fieldNames().forEachRemaining(method -> {
            if (!method.equals("parameters")) {
                documented.add(method.toUpperCase(Locale.ROOT) + " " + path.getKey());
            }
        }));
        Set<String> served = new TreeSet<>();
        JavaClasses main = new ClassFileImporter().withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                .importPackages("dev.hexgate");
        for (JavaClass resource : main) {
            if (!resource.isAnnotatedWith(Path.class)) {
                continue;
            }
            String base = resource.getAnnotationOfType(Path.class).value();
            for (JavaMethod method : resource.getMethods()) {
                String sub = method.isAnnotatedWith(Path.class) ? method.getAnnotationOfType(Path.class).value() : "";
                for (Class<? extends Annotation> verb : List.of(GET.class, POST.class, PUT.class, PATCH.class, DELETE.class)) {
                    if (method.isAnnotatedWith(verb)) {
                        served.add(verb.getSimpleName() + " " + (base + sub).replaceAll("/+$", ""));
                    }
                }
            }
        }
        // The Allow header of a 405 names exactly the methods the code takes on that route (plus HEAD with GET, OPTIONS).
        Map<String, Set<String>> byPath = new TreeMap<>();
        served.forEach(route -> byPath.computeIfAbsent(route.substring(route.indexOf(' ') + 1), p -> new TreeSet<>())
                .add(route.substring(0, route.indexOf(' '))));
        byPath.forEach((path, methods) -> {
            Set<String> expected = new TreeSet<>(methods);
            expected.add("OPTIONS");
            if (methods.contains("GET")) {
                expected.add("HEAD");
            }
            String concrete = path.replaceAll("\\{[^}]+}", "x");
            assertEquals(expected, Set.of(AllowedMethods.of(concrete).orElseThrow().split(", ")), path);
        });
        for (String method : List.of("GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS")) {
            served.add(method + " /proxy/{path}");
        }
        assertEquals(served, documented);
        assertEquals("^(|" + Validation.WEBHOOK_URL + ")$",
                document.path("components").path("schemas").path("WebhookUrl").path("pattern").asText(),
                "the document states the server's own webhook URL rule");
        document.path("paths").fields().forEachRemaining(path -> path.getValue().fields().forEachRemaining(op -> {
            if (!op.getValue().path("security").isMissingNode()) {
                assertTrue(op.getValue().path("responses").has("401"), op.getKey() + " " + path.getKey() + " documents 401");
            }
        }));
        Set<String> codes = new TreeSet<>();
        document.path("components").path("schemas").path("Error").path("properties").path("error").path("properties")
                .path("code").path("enum").forEach(code -> codes.add(code.asText()));
        assertEquals(Arrays.stream(ErrorCode.values()).map(ErrorCode::code).collect(Collectors.toCollection(TreeSet::new)),
                codes, "the document's error codes are exactly the ones the gateway answers");
        document.path("components").path("responses").fields().forEachRemaining(response -> {
            JsonNode json = response.getValue().path("content").path("application/json");
            assertTrue(json.isMissingNode() || json.path("schema").path("$ref").asText().equals("#/components/schemas/Error"),
                    response.getKey() + " answers with the one error shape");
        });
    }
}
