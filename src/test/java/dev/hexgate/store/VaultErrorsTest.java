package dev.hexgate.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import org.junit.jupiter.api.Test;

import io.quarkus.vault.client.VaultClientException;

/**
 * Vault's error text is read the same way whether quarkus-vault parsed the body (JVM) or could not and kept it raw (what
 * a native image did: the readiness reason said "no active Vault node" for a sealed Vault).
 */
class VaultErrorsTest {

    private static VaultClientException parsed(int status, String... errors) {
        return new VaultClientException("op", "/v1/x", status, List.of(errors), null);
    }

    private static VaultClientException rawOnly(int status, String body) {
        return new VaultClientException("op", "/v1/x", status, body, null);
    }

    @Test
    void readsASealedVaultFromTheRawBodyAsFromTheParsedList() {
        assertEquals("503 Vault is sealed", VaultRecords.describe(parsed(503, "Vault is sealed")));
        assertEquals("503 Vault is sealed",
                VaultRecords.describe(rawOnly(503, "{\"errors\":[\"Vault is sealed\"]}\n")));
    }

    @Test
    void tellsAnInvalidTokenFromAPolicyDenialInEitherForm() {
        String invalid = "{\"errors\":[\"2 errors occurred:\\n\\t* permission denied\\n\\t* invalid token\\n\\n\"]}";
        assertTrue(VaultRecords.describe(rawOnly(403, invalid)).contains("invalid token"));
        assertTrue(VaultRecords
                .describe(rawOnly(403, "{\"errors\":[\"1 error occurred:\\n\\t* permission denied\\n\\n\"]}"))
                .contains("policy"));
    }

    @Test
    void findsACheckAndSetMismatchInTheRawBody() {
        assertTrue(VaultErrors.mention(
                rawOnly(400, "{\"errors\":[\"check-and-set parameter did not match the current version\"]}"),
                "check-and-set"));
    }

    @Test
    void treatsABodyThatIsNotVaultsAsSayingNothing() {
        assertFalse(VaultErrors.mention(rawOnly(503, "<html>sealed? no, a load balancer page</html>"), "sealed"));
        assertEquals("503 no active Vault node", VaultRecords.describe(rawOnly(503, "")));
        assertEquals(List.of(), VaultErrors.errors(rawOnly(503, "{\"errors\":null}")));
    }
}
