package dev.hexgate.store;

import java.util.Map;

import io.quarkus.test.junit.QuarkusTestProfile;

/** The Vault token looked up every second, as HEXGATE_VAULT_TOKEN_CHECK_EVERY=1s would. */
public class TokenCheckEverySecond implements QuarkusTestProfile {

    @Override
    public Map<String, String> getConfigOverrides() {
        return Map.of("hexgate.vault.token-check-every", "1s");
    }
}
