package dev.hexgate.store;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import dev.hexgate.testing.FakeHex;
import dev.hexgate.testing.FakeHexResource;
import dev.hexgate.testing.Keys;
import dev.hexgate.testing.Links;
import dev.hexgate.testing.NoSecretsInLogs;
import dev.hexgate.testing.OpenBao;
import dev.hexgate.testing.OpenBaoAppRoleResource;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;

/**
 * AppRole against a real OpenBao set up by {@code deploy/vault/approle.sh}: the gateway logs in, works with the shipped
 * policy, and when its login token is revoked it logs in again on the next request, without a restart.
 */
@QuarkusTest
@WithTestResource(OpenBaoAppRoleResource.class)
@WithTestResource(FakeHexResource.class)
@ExtendWith(NoSecretsInLogs.class)
class VaultAppRoleTest {

    private static final String LOGIN = "auth/approle/login";

    OpenBao vault;
    FakeHex hex;

    @Test
    void logsInWithAppRoleAndLogsInAgainAfterItsTokenIsRevoked() {
        Links.linked("approle-1", "app", hex.personalToken("app"));
        List<String> first = vault.loginAccessors(LOGIN);
        assertEquals(1, first.size(), "one login so far");
        vault.revokeAccessor(first.get(0));

        Links.linked("approle-2", "app", hex.personalToken("app"));
        given().header("Authorization", Keys.bearer(Keys.FULL)).header("Connection-Id", "approle-1")
                .when().get("/proxy/v1/projects").then().statusCode(200);
        List<String> now = vault.loginAccessors(LOGIN);
        assertEquals(1, now.size(), "one live login token again");
        assertNotEquals(first.get(0), now.get(0), "a new login replaced the revoked token");
        assertNotNull(vault.latest("hexgate/connections/approle-2"), "the second link is in Vault");
    }
}
