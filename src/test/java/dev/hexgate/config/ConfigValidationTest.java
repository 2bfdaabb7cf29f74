package dev.hexgate.config;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;

import jakarta.validation.Validation;
import jakarta.validation.Validator;

import org.hibernate.validator.messageinterpolation.ParameterMessageInterpolator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import io.quarkus.runtime.configuration.DurationConverter;
import io.quarkus.runtime.configuration.MemorySize;
import io.quarkus.runtime.configuration.MemorySizeConverter;
import io.smallrye.config.ConfigValidationException;
import io.smallrye.config.EnvConfigSource;
import io.smallrye.config.SmallRyeConfigBuilder;
import io.smallrye.config.validator.BeanValidationConfigValidator;

/** Each bad setting refuses to start with a message that names its environment variable; good ones pass. */
class ConfigValidationTest {

    private static final Validator VALIDATOR = Validation.byDefaultProvider().configure()
            .messageInterpolator(new ParameterMessageInterpolator()).buildValidatorFactory().getValidator();

    private static void build(Map<String, String> environment) {
        new SmallRyeConfigBuilder()
                .withSources(new EnvConfigSource(environment, 300))
                .withConverter(Duration.class, 100, new DurationConverter())
                .withConverter(MemorySize.class, 100, new MemorySizeConverter())
                .withValidator((BeanValidationConfigValidator) () -> VALIDATOR)
                .withMapping(HexgateConfig.class)
                .build();
    }

    private static List<String> problems(Map<String, String> environment) {
        ConfigValidationException e = assertThrows(ConfigValidationException.class, () -> build(environment));
        return IntStream.range(0, e.getProblemCount()).mapToObj(i -> e.getProblem(i).getMessage()).toList();
    }

    @Test
    void acceptsTheDefaults() {
        assertDoesNotThrow(() -> build(Map.of()));
    }

    @Test
    void acceptsEveryWellFormedValue() {
        Map<String, String> env = new HashMap<>();
        env.put("HEXGATE_UPSTREAM_DOMAIN", "hex.example");
        env.put("HEXGATE_UPSTREAM_SCHEME", "HTTP");
        env.put("HEXGATE_UPSTREAM_PORT", "8443");
        env.put("HEXGATE_UPSTREAM_CONNECT_TO", "[::1]:3128");
        env.put("HEXGATE_UPSTREAM_BASE_PATH", "/");
        env.put("HEXGATE_UPSTREAM_PROXY", "http://egress:s3cr%40t@squid.internal:3128");
        env.put("HEXGATE_VAULT_KV_MOUNT", "kv/apps");
        env.put("HEXGATE_VAULT_PATH", "team.a/hexgate-1");
        env.put("HEXGATE_PROXY_RETRIES", "5");
        env.put("HEXGATE_PROXY_MAX_RETRY_WAIT", "0s");
        env.put("HEXGATE_TOKEN_CACHE_STALE_IF_ERROR", "0s");
        env.put("HEXGATE_CONNECT_SESSION_SWEEP_EVERY", "off");
        env.put("HEXGATE_EXPIRING_TOKENS_EVERY", "PT30M");
        env.put("HEXGATE_INDEX_REPAIR_EVERY", "90");
        env.put("HEXGATE_PUBLIC_URL", "https://gw.example.com/hexgate");
        assertDoesNotThrow(() -> build(env));
    }

    @ParameterizedTest(name = "{0}={1}")
    @CsvSource(delimiter = '|', value = {
            "HEXGATE_UPSTREAM_DOMAIN             | https://hex.tech",
            "HEXGATE_UPSTREAM_DOMAIN             | hex.tech/api",
            "HEXGATE_UPSTREAM_SCHEME             | ftp",
            "HEXGATE_UPSTREAM_PORT               | 70000",
            "HEXGATE_UPSTREAM_CONNECT_TO         | proxy.internal",
            "HEXGATE_UPSTREAM_CONNECT_TO         | proxy.internal:99999",
            "HEXGATE_UPSTREAM_BASE_PATH          | api?x=1",
            "HEXGATE_UPSTREAM_PROXY              | squid.internal:3128",
            "HEXGATE_UPSTREAM_PROXY              | https://squid.internal:3128",
            "HEXGATE_UPSTREAM_PROXY              | http://squid.internal",
            "HEXGATE_UPSTREAM_PROXY              | http://squid.internal:0",
            "HEXGATE_TLS_RELOAD_EVERY            | 0s",
            "HEXGATE_VAULT_KV_MOUNT              | /secret/",
            "HEXGATE_VAULT_PATH                  | ../hexgate",
            "HEXGATE_PROVIDER_CONFIG_KEY         | ' '",
            "HEXGATE_TOKEN_CACHE_TTL             | -30s",
            "HEXGATE_TOKEN_CACHE_TTL             | 0s",
            "HEXGATE_TOKEN_CACHE_STALE_IF_ERROR  | -1m",
            "HEXGATE_TOKEN_CACHE_MAX_SIZE        | 0",
            "HEXGATE_PROXY_CONNECT_TIMEOUT       | 0s",
            "HEXGATE_PROXY_TIMEOUT               | 500ms",
            "HEXGATE_PROXY_KEEP_ALIVE            | 0s",
            "HEXGATE_PROXY_RETRIES               | -1",
            "HEXGATE_PROXY_RETRIES               | 6",
            "HEXGATE_PROXY_MAX_RETRIES           | 11",
            "HEXGATE_PROXY_MAX_RETRY_WAIT        | -1s",
            "HEXGATE_PROXY_MAX_BODY_SIZE         | 0",
            "HEXGATE_PROXY_RETRY_BUFFER          | 128M",
            "HEXGATE_CONNECT_SESSION_TTL         | 10s",
            "HEXGATE_CONNECT_SESSION_SWEEP_EVERY | sometimes",
            "HEXGATE_EXPIRING_TOKENS_EVERY       | 1 hour",
            "HEXGATE_INDEX_REPAIR_EVERY          | -1m",
            "HEXGATE_INDEX_REPAIR_BATCH          | 0",
            "HEXGATE_PUBLIC_URL                  | gw.internal",
            "HEXGATE_PUBLIC_URL                  | ftp://gw.internal",
            "HEXGATE_PUBLIC_URL                  | https://gw.internal/?a=1",
            "HEXGATE_VAULT_PATH                  | apps/./hexgate",
            "HEXGATE_WEBHOOK_SIGNING_KEY         | short-key",
            "HEXGATE_WEBHOOK_MAX_AGE             | 0s",
            "HEXGATE_WEBHOOK_TIMEOUT             | 10ms",
            "HEXGATE_WEBHOOK_POLL_EVERY          | often",
            "HEXGATE_WEBHOOK_ENVIRONMENT         | prod env",
            "HEXGATE_TOKEN_CHECK_INTERVAL        | -1h",
            "HEXGATE_TOKEN_CHECK_RATE            | -5",
            "HEXGATE_TOKEN_CHECK_RATE            | 31",
            "HEXGATE_CONNECT_FRAME_ANCESTORS     | app.example.com",
            "HEXGATE_CONNECT_FRAME_ANCESTORS     | https://app.example.com/",
            "HEXGATE_CONNECT_FRAME_ANCESTORS     | https://*.example.com",
            "HEXGATE_CONNECT_FRAME_ANCESTORS     | https://App.Example.com",
            "HEXGATE_CONNECT_FRAME_ANCESTORS     | 'https://a.example.com,\"x\"'",
    })
    void refusesABadValueNamingItsVariable(String variable, String value) {
        List<String> problems = problems(Map.of(variable, value));
        assertEquals(1, problems.size(), problems::toString);
        assertTrue(problems.get(0).contains("(" + variable + ")"), problems::toString);
        assertFalse(!value.isBlank() && problems.get(0).contains(value.strip()),
                "the message does not repeat the value: " + problems);
    }

    @Test
    void refusesATlsCertificateWithoutItsKeyAndAKeyWithoutItsCertificate() {
        List<String> noKey = problems(Map.of("HEXGATE_TLS_CERT", "/tls/tls.crt"));
        assertEquals(1, noKey.size(), noKey::toString);
        assertTrue(noKey.get(0).contains("(HEXGATE_TLS_KEY) must be set when HEXGATE_TLS_CERT is"), noKey::toString);
        List<String> noCert = problems(Map.of("HEXGATE_TLS_KEY", "/tls/tls.key"));
        assertEquals(1, noCert.size(), noCert::toString);
        assertTrue(noCert.get(0).contains("(HEXGATE_TLS_CERT) must be set when HEXGATE_TLS_KEY is"), noCert::toString);
        assertDoesNotThrow(() -> build(Map.of("HEXGATE_TLS_CERT", "/tls/tls.crt", "HEXGATE_TLS_KEY", "/tls/tls.key")));
    }

    @Test
    void refusesWebhookUrlsThatAreNotHttpOrHaveNoKeyToBeSignedWith() {
        List<String> noKey = problems(Map.of("HEXGATE_WEBHOOK_URLS", "https://backend.example.com/hooks"));
        assertEquals(List.of("hexgate (HEXGATE_WEBHOOK_SIGNING_KEY) must be set when HEXGATE_WEBHOOK_URLS is"), noKey);
        for (String url : List.of("ftp://backend.example.com/hooks", "https://user:pw@backend.example.com/hooks",
                "/hooks", "https://backend.example.com/hooks#x")) {
            List<String> bad = problems(Map.of("HEXGATE_WEBHOOK_URLS", url, "HEXGATE_WEBHOOK_SIGNING_KEY",
                    "signing-key-0123456789abcdef"));
            assertEquals(1, bad.size(), bad::toString);
            assertTrue(bad.get(0).contains("(HEXGATE_WEBHOOK_URLS) must be absolute http or https URLs"), bad::toString);
            assertFalse(bad.get(0).contains("backend.example.com"), "the message does not repeat the value");
        }
        assertDoesNotThrow(() -> build(Map.of("HEXGATE_WEBHOOK_URLS", "https://a.example.com/h,http://b.internal:8080/h",
                "HEXGATE_WEBHOOK_SIGNING_KEY", "signing-key-0123456789abcdef,old-signing-key-0123456789")));
    }

    @Test
    void listsEveryProblemAtOnce() {
        List<String> problems = problems(Map.of("HEXGATE_PROXY_RETRIES", "-1", "HEXGATE_UPSTREAM_SCHEME", "ftp",
                "HEXGATE_PROXY_RETRY_BUFFER", "1G"));
        assertEquals(3, problems.size(), problems::toString);
        assertTrue(Arrays.asList("HEXGATE_PROXY_RETRIES", "HEXGATE_UPSTREAM_SCHEME", "HEXGATE_PROXY_RETRY_BUFFER").stream()
                .allMatch(v -> problems.stream().anyMatch(p -> p.contains("(" + v + ")"))), problems::toString);
    }
}
