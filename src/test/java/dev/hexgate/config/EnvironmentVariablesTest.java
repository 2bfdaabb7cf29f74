package dev.hexgate.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.junit.jupiter.api.Test;

import io.quarkus.runtime.configuration.DurationConverter;
import io.quarkus.runtime.configuration.MemorySize;
import io.quarkus.runtime.configuration.MemorySizeConverter;
import io.smallrye.config.EnvConfigSource;
import io.smallrye.config.SmallRyeConfig;
import io.smallrye.config.SmallRyeConfigBuilder;

/**
 * Every environment variable of docs/contract.md §8, by its exact name, reaches HexgateConfig; absent ones take the contract's
 * defaults.
 */
class EnvironmentVariablesTest {

    private static HexgateConfig from(Map<String, String> environment) {
        SmallRyeConfig config = new SmallRyeConfigBuilder()
                .withSources(new EnvConfigSource(environment, 300))
                .withConverter(Duration.class, 100, new DurationConverter())
                .withConverter(MemorySize.class, 100, new MemorySizeConverter())
                .withMapping(HexgateConfig.class)
                .build();
        return config.getConfigMapping(HexgateConfig.class);
    }

    @Test
    void readsEveryContractVariableByItsExactName() {
        HexgateConfig c = from(Map.ofEntries(
                Map.entry("HEXGATE_API_KEYS", "first-key-0123456789abcdef01,second-key-0123456789abcdef0"),
                Map.entry("HEXGATE_PROXY_API_KEYS", "proxy-key-0123456789abcdef012"),
                Map.entry("HEXGATE_PROVIDER_CONFIG_KEY", "hex-prod"),
                Map.entry("HEXGATE_STORE", "vault"),
                Map.entry("HEXGATE_VAULT_KV_MOUNT", "kv"),
                Map.entry("HEXGATE_VAULT_PATH", "apps/hexgate"),
                Map.entry("HEXGATE_STORE_FILE_DIR", "/data/hexgate"),
                Map.entry("HEXGATE_STORE_FILE_KEY", "c2VjcmV0"),
                Map.entry("HEXGATE_UPSTREAM_DOMAIN", "hex.example"),
                Map.entry("HEXGATE_UPSTREAM_SCHEME", "http"),
                Map.entry("HEXGATE_UPSTREAM_PORT", "8443"),
                Map.entry("HEXGATE_UPSTREAM_CONNECT_TO", "10.0.0.5:3128"),
                Map.entry("HEXGATE_UPSTREAM_BASE_PATH", "/hexapi"),
                Map.entry("HEXGATE_VERIFY_ON_LINK", "false"),
                Map.entry("HEXGATE_TOKEN_CACHE_TTL", "5s"),
                Map.entry("HEXGATE_TOKEN_CACHE_STALE_IF_ERROR", "2m"),
                Map.entry("HEXGATE_TOKEN_CACHE_MAX_SIZE", "500"),
                Map.entry("HEXGATE_PROXY_CONNECT_TIMEOUT", "2s"),
                Map.entry("HEXGATE_PROXY_TIMEOUT", "90s"),
                Map.entry("HEXGATE_PROXY_RETRIES", "1"),
                Map.entry("HEXGATE_PROXY_MAX_RETRIES", "4"),
                Map.entry("HEXGATE_PROXY_MAX_RETRY_WAIT", "10s"),
                Map.entry("HEXGATE_PROXY_MAX_BODY_SIZE", "50M"),
                Map.entry("HEXGATE_PROXY_RETRY_BUFFER", "2M"),
                Map.entry("HEXGATE_PROXY_RETRY_BUFFER_TOTAL", "16M"),
                Map.entry("HEXGATE_PROXY_KEEP_ALIVE", "20s"),
                Map.entry("HEXGATE_PUBLIC_URL", "https://gw.example.com"),
                Map.entry("HEXGATE_CONNECT_SESSION_TTL", "10m"),
                Map.entry("HEXGATE_UPSTREAM_PROXY", "http://squid.internal:3128"),
                Map.entry("HEXGATE_UPSTREAM_TRUST_CERTS", "/etc/egress/ca.pem,/etc/mirror/ca.pem"),
                Map.entry("HEXGATE_TLS_CERT", "/tls/tls.crt"),
                Map.entry("HEXGATE_TLS_KEY", "/tls/tls.key"),
                Map.entry("HEXGATE_TLS_RELOAD_EVERY", "10m"),
                Map.entry("HEXGATE_VAULT_TOKEN_CHECK_EVERY", "30s"),
                Map.entry("HEXGATE_WEBHOOK_URLS", "https://a.example.com/hooks,https://b.example.com/hooks"),
                Map.entry("HEXGATE_CONNECT_FRAME_ANCESTORS", "https://app.example.com,http://localhost:3000"),
                Map.entry("HEXGATE_WEBHOOK_SIGNING_KEY", "new-signing-key-0123456789,old-signing-key-0123456789"),
                Map.entry("HEXGATE_WEBHOOK_MAX_AGE", "6h"),
                Map.entry("HEXGATE_WEBHOOK_TIMEOUT", "5s"),
                Map.entry("HEXGATE_WEBHOOK_POLL_EVERY", "2s"),
                Map.entry("HEXGATE_WEBHOOK_ENVIRONMENT", "staging"),
                Map.entry("HEXGATE_TOKEN_CHECK_INTERVAL", "12h"),
                Map.entry("HEXGATE_TOKEN_CHECK_RATE", "20")));
        assertEquals(Optional.of(List.of("first-key-0123456789abcdef01", "second-key-0123456789abcdef0")), c.apiKeys());
        assertEquals(Optional.of(List.of("proxy-key-0123456789abcdef012")), c.proxyApiKeys());
        assertEquals("hex-prod", c.providerConfigKey());
        assertEquals(HexgateConfig.StoreKind.VAULT, c.storeKind());
        assertEquals("kv", c.vault().kvMount());
        assertEquals("apps/hexgate", c.vault().path());
        assertEquals("/data/hexgate", c.storeFile().dir());
        assertEquals(Optional.of("c2VjcmV0"), c.storeFile().key());
        assertEquals("hex.example", c.upstream().domain());
        assertEquals("http", c.upstream().scheme());
        assertEquals(8443, c.upstream().port().getAsInt());
        assertEquals(Optional.of("10.0.0.5:3128"), c.upstream().connectTo());
        assertEquals("/hexapi", c.upstream().basePath());
        assertEquals(false, c.verifyOnLink());
        assertEquals(Duration.ofSeconds(5), c.tokenCache().ttl());
        assertEquals(Duration.ofMinutes(2), c.tokenCache().staleIfError());
        assertEquals(500, c.tokenCache().maxSize());
        assertEquals(Duration.ofSeconds(2), c.proxy().connectTimeout());
        assertEquals(Duration.ofSeconds(90), c.proxy().timeout());
        assertEquals(1, c.proxy().retries());
        assertEquals(4, c.proxy().maxRetries());
        assertEquals(Duration.ofSeconds(10), c.proxy().maxRetryWait());
        assertEquals(50L * 1024 * 1024, c.proxy().maxBodySize().asLongValue());
        assertEquals(2L * 1024 * 1024, c.proxy().retryBuffer().asLongValue());
        assertEquals(16L * 1024 * 1024, c.proxy().retryBufferTotal().asLongValue());
        assertEquals(Duration.ofSeconds(20), c.proxy().keepAlive());
        assertEquals(URI.create("https://gw.example.com"), c.publicUrl());
        assertEquals(Duration.ofMinutes(10), c.connectSession().ttl());
        assertEquals(Optional.of("http://squid.internal:3128"), c.upstream().proxy());
        assertEquals(Optional.of(List.of("/etc/egress/ca.pem", "/etc/mirror/ca.pem")), c.upstream().trustCerts());
        assertEquals(Optional.of("/tls/tls.crt"), c.tls().cert());
        assertEquals(Optional.of("/tls/tls.key"), c.tls().key());
        assertEquals(Duration.ofMinutes(10), c.tls().reloadEvery());
        assertEquals("30s", c.vault().tokenCheckEvery());
        assertEquals(Optional.of(List.of("https://a.example.com/hooks", "https://b.example.com/hooks")), c.webhook().urls());
        assertEquals(Optional.of(List.of("https://app.example.com", "http://localhost:3000")), c.connectFrameAncestors());
        assertEquals(Optional.of(List.of("new-signing-key-0123456789", "old-signing-key-0123456789")),
                c.webhook().signingKey());
        assertEquals(Duration.ofHours(6), c.webhook().maxAge());
        assertEquals(Duration.ofSeconds(5), c.webhook().timeout());
        assertEquals("2s", c.webhook().pollEvery());
        assertEquals("staging", c.webhook().environment());
        assertEquals(Duration.ofHours(12), c.tokenCheck().interval());
        assertEquals(20, c.tokenCheck().rate());
    }

    @Test
    void aTokenCheckIntervalOfZeroSwitchesTheCheckOff() {
        assertEquals(Duration.ZERO, from(Map.of("HEXGATE_TOKEN_CHECK_INTERVAL", "0")).tokenCheck().interval());
    }

    @Test
    void usesTheContractsDefaults() {
        HexgateConfig c = from(Map.of());
        assertTrue(c.apiKeys().isEmpty() && c.proxyApiKeys().isEmpty());
        assertEquals("hex", c.providerConfigKey());
        assertEquals(HexgateConfig.StoreKind.FILE, c.storeKind());
        assertEquals("secret", c.vault().kvMount());
        assertEquals("hexgate", c.vault().path());
        assertEquals("./hexgate-data", c.storeFile().dir());
        assertEquals("hex.tech", c.upstream().domain());
        assertEquals("https", c.upstream().scheme());
        assertTrue(c.upstream().port().isEmpty() && c.upstream().connectTo().isEmpty());
        assertEquals("/api", c.upstream().basePath());
        assertEquals(true, c.verifyOnLink());
        assertEquals(Duration.ofSeconds(30), c.tokenCache().ttl());
        assertEquals(Duration.ofMinutes(15), c.tokenCache().staleIfError());
        assertEquals(20000, c.tokenCache().maxSize());
        assertEquals(Duration.ofSeconds(5), c.proxy().connectTimeout());
        assertEquals(Duration.ofSeconds(60), c.proxy().timeout());
        assertEquals(0, c.proxy().retries());
        assertEquals(5, c.proxy().maxRetries());
        assertEquals(Duration.ofSeconds(30), c.proxy().maxRetryWait());
        assertEquals(100L * 1024 * 1024, c.proxy().maxBodySize().asLongValue());
        assertEquals(1024L * 1024, c.proxy().retryBuffer().asLongValue());
        assertEquals(64L * 1024 * 1024, c.proxy().retryBufferTotal().asLongValue());
        assertEquals(Duration.ofSeconds(30), c.proxy().keepAlive());
        assertEquals(URI.create("http://localhost:8080"), c.publicUrl());
        assertEquals(Duration.ofMinutes(30), c.connectSession().ttl());
        assertTrue(c.webhook().urls().isEmpty() && c.webhook().signingKey().isEmpty());
        assertTrue(c.connectFrameAncestors().isEmpty(), "nobody may frame the Connect page by default");
        assertEquals(Duration.ofHours(24), c.webhook().maxAge());
        assertEquals("prod", c.webhook().environment());
        assertEquals(Duration.ofHours(24), c.tokenCheck().interval());
        assertEquals(10, c.tokenCheck().rate());
    }
}
