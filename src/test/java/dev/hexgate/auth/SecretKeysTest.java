package dev.hexgate.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.time.Duration;
import java.util.Map;

import org.junit.jupiter.api.Test;

import dev.hexgate.config.HexgateConfig;
import dev.hexgate.error.GatewayException;
import io.quarkus.runtime.configuration.DurationConverter;
import io.quarkus.runtime.configuration.MemorySize;
import io.quarkus.runtime.configuration.MemorySizeConverter;
import io.smallrye.config.EnvConfigSource;
import io.smallrye.config.SmallRyeConfigBuilder;

/** The proxy's caller lookup: the key id it works out once at start is the one the audit trail names per request. */
class SecretKeysTest {

    private static final String FULL = "full-access-key-0123456789abcdef";
    private static final String PROXY = "proxy-only-key-0123456789abcdef0";

    private static SecretKeys keys() {
        HexgateConfig config = new SmallRyeConfigBuilder()
                .withSources(new EnvConfigSource(Map.of("HEXGATE_API_KEYS", FULL, "HEXGATE_PROXY_API_KEYS", PROXY), 300))
                .withConverter(Duration.class, 100, new DurationConverter())
                .withConverter(MemorySize.class, 100, new MemorySizeConverter())
                .withMapping(HexgateConfig.class).build().getConfigMapping(HexgateConfig.class);
        return new SecretKeys(config);
    }

    @Test
    void identifiesEachKeyByTheIdTheAuditTrailUses() {
        SecretKeys keys = keys();
        SecretKeys.Caller full = keys.identify("Bearer " + FULL);
        SecretKeys.Caller proxy = keys.identify("bearer " + PROXY);
        assertEquals(Scope.FULL, full.scope());
        assertEquals(Scope.PROXY, proxy.scope());
        assertEquals(SecretKeys.keyId("Bearer " + FULL), full.keyId());
        assertEquals(SecretKeys.keyId("bearer " + PROXY), proxy.keyId());
        assertNotEquals(full.keyId(), proxy.keyId());
        // The header as sent, spaces and all, names the key that it authenticated as.
        assertEquals(full.keyId(), keys.identify("Bearer " + FULL + "  ").keyId());
        assertEquals(full.keyId(), SecretKeys.keyId("Bearer " + FULL + "  "));
        assertThrows(GatewayException.class, () -> keys.identify("Bearer not-a-configured-key-0123456789"));
    }
}
