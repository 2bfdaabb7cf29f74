package dev.hexgate.testing;

import org.eclipse.microprofile.config.ConfigProvider;

import io.restassured.RestAssured;
import io.restassured.specification.RequestSpecification;

/** Requests to the management interface (health, metrics, OpenAPI), which listens on its own port. */
public final class Management {

    private Management() {
    }

    /** The management port tests run on ({@code quarkus.management.test-port}, 9001 unless set). */
    public static int port() {
        return ConfigProvider.getConfig().getOptionalValue("quarkus.management.test-port", Integer.class).orElse(9001);
    }

    public static RequestSpecification given() {
        return RestAssured.given().port(port());
    }
}
