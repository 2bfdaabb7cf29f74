package dev.hexgate.config;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

import dev.hexgate.testing.Keys;

/**
 * The packaged application, started with the production profile and bad settings, refuses to start: it exits non-zero,
 * names each bad variable, opens no port and creates no store directory.
 */
class StartupRefusalIT {

    private record Outcome(int exit, String output, boolean storeCreated) {
    }

    private static Outcome start(Map<String, String> settings) throws Exception {
        Path dir = Files.createTempDirectory(Path.of("target"), "refusal-");
        Path store = dir.resolve("store");
        Path log = dir.resolve("output.log");
        String java = ProcessHandle.current().info().command().orElse("java");
        ProcessBuilder builder = new ProcessBuilder(java, "-jar", "target/quarkus-app/quarkus-run.jar")
                .redirectErrorStream(true).redirectOutput(log.toFile());
        Map<String, String> env = new HashMap<>(Map.of("QUARKUS_HTTP_PORT", "0", "HEXGATE_API_KEYS", Keys.FULL,
                "HEXGATE_STORE", "file", "HEXGATE_STORE_FILE_DIR", store.toString()));
        env.putAll(settings);
        builder.environment().keySet().removeIf(k -> k.startsWith("HEXGATE_") || k.startsWith("QUARKUS_"));
        builder.environment().putAll(env);
        Process app = builder.start();
        if (!app.waitFor(60, TimeUnit.SECONDS)) {
            app.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            throw new AssertionError("the application started instead of refusing: " + Files.readString(log));
        }
        return new Outcome(app.exitValue(), Files.readString(log, StandardCharsets.UTF_8), Files.exists(store));
    }

    @Test
    void refusesBadSettingsNamingEachVariable() throws Exception {
        Outcome o = start(Map.of("HEXGATE_PUBLIC_URL", "https://hexgate.example.com",
                "HEXGATE_UPSTREAM_DOMAIN", "https://hex.tech",
                "HEXGATE_TOKEN_CACHE_TTL", "-30s",
                "HEXGATE_PROXY_MAX_RETRIES", "2",
                "HEXGATE_PROXY_RETRIES", "3",
                "HEXGATE_CONNECT_SESSION_SWEEP_EVERY", "sometimes"));
        assertNotEquals(0, o.exit(), o.output());
        for (String variable : List.of("HEXGATE_UPSTREAM_DOMAIN", "HEXGATE_TOKEN_CACHE_TTL", "HEXGATE_PROXY_RETRIES",
                "HEXGATE_CONNECT_SESSION_SWEEP_EVERY")) {
            assertTrue(o.output().contains("(" + variable + ")"), variable + " named in: " + o.output());
        }
        assertFalse(o.output().contains("Listening on"), o.output());
        assertFalse(o.storeCreated(), "nothing was written before the refusal");
        assertFalse(o.output().contains(Keys.FULL), "the secret key is not printed");
    }

    @Test
    void refusesThePublicUrlLeftAtItsLocalhostDefaultOutsideDev() throws Exception {
        Outcome o = start(Map.of());
        assertNotEquals(0, o.exit(), o.output());
        assertTrue(o.output().contains("HEXGATE_PUBLIC_URL is not set"), o.output());
        assertFalse(o.storeCreated(), "nothing was written before the refusal");
    }
}
