package dev.hexgate.hex;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import dev.hexgate.testing.FakeHex;
import dev.hexgate.testing.Keys;
import dev.hexgate.testing.Links;
import dev.hexgate.testing.NoSecretsInLogs;
import dev.hexgate.testing.OpenBaoResource;
import dev.hexgate.testing.Tinyproxy;
import dev.hexgate.testing.TinyproxyResource;
import dev.hexgate.testing.TlsFakeHexResource;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;

/**
 * {@code HEXGATE_UPSTREAM_PROXY} with a real CONNECT proxy (tinyproxy): the token check and the proxy hop both tunnel
 * through it to Hex over HTTPS, TLS end to end; with the proxy down nothing reaches Hex around it.
 */
@QuarkusTest
@WithTestResource(OpenBaoResource.class)
@WithTestResource(TlsFakeHexResource.class)
@WithTestResource(TinyproxyResource.class)
@ExtendWith(NoSecretsInLogs.class)
class EgressProxyTest {

    FakeHex hex;
    Tinyproxy proxy;

    @BeforeEach
    void needsTinyproxy() {
        Assumptions.assumeTrue(proxy != null, "tinyproxy is not installed (apt-get install tinyproxy); CI installs it");
    }

    @Test
    void linksAndProxiesThroughTheEgressProxysConnectTunnel() {
        int before = proxy.connects().size();
        Links.link(Links.body("egress-1", "app", hex.personalToken("app"))).statusCode(201);
        given().header("Authorization", Keys.bearer(Keys.FULL)).header("Connection-Id", "egress-1")
                .when().get("/proxy/v1/projects").then().statusCode(200);
        assertTrue(proxy.connects().size() > before, "tinyproxy relayed the connections: " + proxy.connects());
        assertTrue(proxy.connects().stream().allMatch(c -> c.startsWith("CONNECT " + hex.address() + " ")),
                proxy.connects().toString());
        assertEquals("app.hex.tech", hex.last().host());
    }

    @Test
    void reachesHexOnlyThroughTheProxy() throws IOException {
        Links.linked("egress-2", "app", hex.personalToken("app"));
        proxy.stop();
        try {
            hex.clearReceived();
            Links.link(Links.body("egress-3", "app", hex.personalToken("app"))).statusCode(502)
                    .body("error.code", equalTo("upstream_unreachable"));
            given().header("Authorization", Keys.bearer(Keys.FULL)).header("Connection-Id", "egress-2")
                    .when().get("/proxy/v1/projects").then().statusCode(502);
            assertTrue(hex.received().isEmpty(), "nothing went around the stopped proxy: " + hex.received());
        } finally {
            proxy.restart();
        }
    }
}
