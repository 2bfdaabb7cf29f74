package dev.hexgate.store;

import java.util.Map;

import io.quarkus.test.junit.QuarkusTestProfile;

/** A token cache that expires within a test's patience: 300 ms fresh, then 1.5 s of grace while the store fails. */
public class ShortCacheProfile implements QuarkusTestProfile {

    static final long TTL_MS = 300;
    static final long STALE_MS = 1500;

    @Override
    public Map<String, String> getConfigOverrides() {
        return Map.of("hexgate.token-cache.ttl", TTL_MS + "ms", "hexgate.token-cache.stale-if-error", STALE_MS + "ms",
                "quarkus.vault.connect-timeout", "1S", "quarkus.vault.read-timeout", "2S");
    }
}
