package dev.hexgate.ops;

import static io.restassured.RestAssured.given;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import dev.hexgate.testing.FakeHexResource;
import dev.hexgate.testing.Management;
import dev.hexgate.testing.NoSecretsInLogs;
import dev.hexgate.testing.OpenBaoResource;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusIntegrationTest;

/** The packaged application documents its API at /q/openapi and leaves the Swagger UI out (dev mode serves it). */
@QuarkusIntegrationTest
@WithTestResource(OpenBaoResource.class)
@WithTestResource(FakeHexResource.class)
@ExtendWith(NoSecretsInLogs.class)
class OperationsIT {

    @Test
    void servesOpenApiButNoSwaggerUiInThePackagedApplication() {
        Management.given().queryParam("format", "json").when().get("/q/openapi").then().statusCode(200);
        Management.given().when().get("/q/swagger-ui/").then().statusCode(404);
    }
}
