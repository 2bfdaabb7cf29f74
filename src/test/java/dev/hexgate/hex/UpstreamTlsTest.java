package dev.hexgate.hex;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import dev.hexgate.testing.FakeHex;
import dev.hexgate.testing.Keys;
import dev.hexgate.testing.Links;
import dev.hexgate.testing.NoSecretsInLogs;
import dev.hexgate.testing.OpenBaoResource;
import dev.hexgate.testing.TlsFakeHexResource;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;

/**
 * Hex over HTTPS while {@code HEXGATE_UPSTREAM_CONNECT_TO} sends the connections to another address: the link-time token
 * check and the proxy hop both ask for {@code <subdomain>.hex.tech} by SNI and accept only a certificate for that name.
 */
@QuarkusTest
@WithTestResource(OpenBaoResource.class)
@WithTestResource(TlsFakeHexResource.class)
@ExtendWith(NoSecretsInLogs.class)
class UpstreamTlsTest {

    FakeHex hex;

    @Test
    void checksTheTokenAndProxiesOverHttpsVerifyingTheSubdomainNotTheConnectToAddress() {
        hex.clearReceived();
        Links.link(Links.body("tls-1", "app", hex.personalToken("app"))).statusCode(201)
                .body("hex.user_email", equalTo("analyst@example.com"));
        given().header("Authorization", Keys.bearer(Keys.FULL)).header("Connection-Id", "tls-1")
                .when().get("/proxy/v1/projects").then().statusCode(200);
        assertEquals("/api/v1/users/me", hex.received().get(0).rawPath());
        assertEquals("app.hex.tech", hex.received().get(0).host());
        assertEquals("/api/v1/projects", hex.last().rawPath());
        assertTrue(!hex.serverNames().isEmpty() && hex.serverNames().stream().allMatch("app.hex.tech"::equals),
                "every TLS handshake asked for app.hex.tech: " + hex.serverNames());
    }

    @Test
    void refusesToLinkWhenTheCertificateIsNotTheSubdomainsAndSendsItNoToken() {
        hex.clearReceived();
        // The fake presents its app.hex.tech certificate to a client that asked for eu.hex.tech.
        Links.link(Links.body("tls-2", "eu", hex.personalToken("eu"))).statusCode(502)
                .body("error.code", equalTo("upstream_unreachable"));
        assertTrue(hex.received().isEmpty(), "no request (and so no token) crossed the failed handshake");
        given().header("Authorization", Keys.bearer(Keys.FULL)).when().get("/connections/tls-2").then().statusCode(404);
    }
}
