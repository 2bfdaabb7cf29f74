package dev.hexgate.store;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import dev.hexgate.testing.FakeHex;
import dev.hexgate.testing.FakeHexResource;
import dev.hexgate.testing.FakeTokenReview;
import dev.hexgate.testing.Keys;
import dev.hexgate.testing.Links;
import dev.hexgate.testing.NoSecretsInLogs;
import dev.hexgate.testing.OpenBao;
import dev.hexgate.testing.OpenBaoKubernetesResource;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;

/**
 * Kubernetes auth as in a pod, against a real OpenBao set up by {@code deploy/vault/kubernetes-auth.sh}: OpenBao reviews
 * the service-account token with the (fake) Kubernetes API, and the login's token is enough for every operation.
 */
@QuarkusTest
@WithTestResource(OpenBaoKubernetesResource.class)
@WithTestResource(FakeHexResource.class)
@ExtendWith(NoSecretsInLogs.class)
class VaultKubernetesAuthTest {

    OpenBao vault;
    FakeHex hex;
    FakeTokenReview kubernetes;

    @Test
    void logsInWithItsServiceAccountTokenAndWorksWithTheShippedPolicy() {
        Links.linked("k8s-1", "app", hex.personalToken("app"));
        given().header("Authorization", Keys.bearer(Keys.FULL)).header("Connection-Id", "k8s-1")
                .when().get("/proxy/v1/projects").then().statusCode(200);
        given().header("Authorization", Keys.bearer(Keys.FULL)).when().delete("/connections/k8s-1").then().statusCode(200);
        assertTrue(kubernetes.reviews() >= 1, "OpenBao asked the Kubernetes API to review the token");
        assertEquals(1, vault.loginAccessors("auth/kubernetes/login").size(), "one Kubernetes login");
        assertTrue(vault.received().stream().allMatch(r -> r.policies().contains("hexgate")),
                "every request was made with the role's policy");
        assertNotNull(vault.received().stream().filter(r -> r.path().contains("/hexgate/connections/k8s-1")).findAny()
                .orElse(null));
    }
}
