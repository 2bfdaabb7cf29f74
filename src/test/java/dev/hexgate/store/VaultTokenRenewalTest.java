package dev.hexgate.store;

import static org.hamcrest.Matchers.allOf;
import static org.hamcrest.Matchers.greaterThan;
import static org.hamcrest.Matchers.lessThanOrEqualTo;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.Instant;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import dev.hexgate.testing.Await;
import dev.hexgate.testing.FakeHex;
import dev.hexgate.testing.FakeHexResource;
import dev.hexgate.testing.Links;
import dev.hexgate.testing.Management;
import dev.hexgate.testing.NoSecretsInLogs;
import dev.hexgate.testing.OpenBao;
import dev.hexgate.testing.OpenBaoResource;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;

/**
 * A static, renewable Vault token with a 15-second TTL (and only the shipped policy, not Vault's "default"): hexgate
 * renews it itself, so it keeps working past the TTL; the remaining TTL is in a metric and in readiness.
 */
@QuarkusTest
@TestProfile(TokenCheckEverySecond.class)
@WithTestResource(value = OpenBaoResource.class, initArgs = @ResourceArg(name = OpenBaoResource.TOKEN_TTL, value = "15s"))
@WithTestResource(FakeHexResource.class)
@ExtendWith(NoSecretsInLogs.class)
class VaultTokenRenewalTest {

    FakeHex hex;
    OpenBao vault;

    @Test
    void keepsARenewableTokenAlivePastItsTtl() {
        Instant pastTtl = Instant.now().plusSeconds(20);
        assertTrue(Await.until(() -> !Instant.now().isBefore(pastTtl), Duration.ofSeconds(30)));
        // The token would have expired 5 s ago: links and reads still reach Vault.
        Links.linked("renewed-1", "app", hex.personalToken("app"));
        assertTrue(vault.received().stream().filter(r -> r.path().equals("/v1/auth/token/renew-self")).count() >= 2,
                "renewed more than once in 20 s");
        String metrics = Management.given().when().get("/q/metrics").asString();
        double ttl = metrics.lines().filter(l -> l.startsWith("hexgate_vault_token_ttl_seconds ")).mapToDouble(
                l -> Double.parseDouble(l.split(" ")[1])).findFirst().orElse(-2);
        assertTrue(ttl > 0 && ttl <= 15, "the gauge shows what is left of the token: " + ttl);
        Management.given().when().get("/q/health/ready").then().statusCode(200).body(
                "checks.find { it.name == 'connection-store' }.data.vault_token_ttl_seconds",
                allOf(greaterThan(0), lessThanOrEqualTo(15)));
    }
}
