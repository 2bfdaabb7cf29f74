package dev.hexgate.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import dev.hexgate.testing.FakeHexResource;
import dev.hexgate.testing.Keys;
import dev.hexgate.testing.Management;
import dev.hexgate.testing.NoSecretsInLogs;
import dev.hexgate.testing.OpenBaoResource;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusIntegrationTest;
import io.restassured.RestAssured;

/**
 * Schemathesis (a fuzzer nobody here wrote) against the packaged application, real OpenBao and the fake Hex behind it:
 * requests generated from {@code /q/openapi} for every operation, examples, coverage, fuzzing and stateful sequences
 * (link → read → delete, from the document's links), every check it has. Run as a full key, a proxy-only key and no key.
 * Anything it finds fails the build; the fix goes into the code or the document, never into an exclusion. The one
 * setting in src/test/resources/schemathesis.toml states a status Nango compatibility requires, with its reason.
 */
@QuarkusIntegrationTest
@WithTestResource(OpenBaoResource.class)
@WithTestResource(FakeHexResource.class)
@WithTestResource(SchemathesisIT.FuzzingSetup.class)
@ExtendWith(NoSecretsInLogs.class)
class SchemathesisIT {

    private static final String SIGNING_KEY = "schemathesis-signing-key-51c2f0";

    /**
     * Links are not checked with Hex (schemathesis makes up well-formed tokens no Hex knows, and a schema-valid link must
     * be accepted), and there is a webhook signing key, so that a connection's {@code webhook_url_override} is taken as
     * the document says; the made-up receivers are given up on quickly.
     */
    public static class FuzzingSetup implements QuarkusTestResourceLifecycleManager {
        @Override
        public Map<String, String> start() {
            NoSecretsInLogs.secret(SIGNING_KEY);
            return Map.of("hexgate.verify-on-link", "false", "hexgate.webhook.signing-key", SIGNING_KEY,
                    "hexgate.webhook.timeout", "1s", "hexgate.webhook.max-age", "5s");
        }

        @Override
        public void stop() {
        }
    }

    /**
     * Without a key only the documents' examples are sent: after five refusals a minute the gateway answers each further
     * one from that address five seconds late (AuthThrottle), on purpose, so fuzzing unauthenticated would take hours.
     */
    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = { "full       | 150 | examples,coverage,fuzzing,stateful",
            "proxy-only | 30  | examples,coverage,fuzzing,stateful",
            "none       | 1   | examples" })
    void findsNothingWrongWithTheApi(String key, int examples, String phases) throws Exception {
        String home = System.getProperty("schemathesis.home");
        assertTrue(home != null && Files.isExecutable(Path.of(home, "bin", "st")),
                "schemathesis is not installed: run the tests through Maven, which installs it");
        List<String> command = new ArrayList<>(List.of(Path.of(home, "bin", "st").toString(),
                "--config-file", Path.of("src/test/resources/schemathesis.toml").toAbsolutePath().toString(), "run",
                "http://localhost:" + Management.port() + "/q/openapi?format=json",
                "--url", "http://localhost:" + RestAssured.port,
                "--checks", "all",
                "--max-examples", Integer.toString(examples),
                "--phases", phases,
                // One worker: CPython 3.11 fails inside Hypothesis with several ("AST constructor recursion depth").
                "--workers", "1",
                "--seed", "20261206"));
        String secret = switch (key) {
            case "full" -> Keys.FULL;
            case "proxy-only" -> Keys.PROXY_ONLY;
            default -> null;
        };
        if (secret != null) {
            command.addAll(List.of("-H", "Authorization: Bearer " + secret));
        }
        // Run in target/: schemathesis keeps a cache (.schemathesis/) in its working directory.
        ProcessBuilder st = new ProcessBuilder(command).redirectErrorStream(true).directory(Path.of("target").toFile());
        st.environment().put("NO_COLOR", "1");
        Process process = st.start();
        // Relayed line by line through System.out: a forked test JVM must not have children write to its own stdout.
        try (BufferedReader out = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
            out.lines().forEach(line -> System.out.println("[schemathesis " + key + "] " + line));
        }
        assertTrue(process.waitFor(10, TimeUnit.MINUTES), "schemathesis finished in time");
        assertEquals(0, process.exitValue(), "schemathesis found something (its report is above)");
    }
}
