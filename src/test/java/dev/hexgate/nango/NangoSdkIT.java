package dev.hexgate.nango;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import dev.hexgate.testing.FakeHex;
import dev.hexgate.testing.FakeHexResource;
import dev.hexgate.testing.Keys;
import dev.hexgate.testing.NoSecretsInLogs;
import dev.hexgate.testing.OpenBaoResource;
import dev.hexgate.testing.WebhookReceiverResource;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusIntegrationTest;
import io.restassured.RestAssured;

/**
 * The real {@code @nangohq/node} 0.71.10 (src/test/node, installed by {@code npm ci} in the build) drives the packaged
 * application; its Node test suite must pass. The fake Hex and the Vault emulator run in this JVM.
 */
@QuarkusIntegrationTest
@WithTestResource(OpenBaoResource.class)
@WithTestResource(FakeHexResource.class)
@WithTestResource(WebhookReceiverResource.class)
@ExtendWith(NoSecretsInLogs.class)
class NangoSdkIT {

    private static final Path SUITE = Path.of("src/test/node");

    FakeHex hex;

    @Test
    void theNangoNodeSdkWorksUnchangedAgainstHexgate() throws Exception {
        assertTrue(Files.isDirectory(SUITE.resolve("node_modules/@nangohq/node")),
                "run 'npm ci' in src/test/node (the build does it in pre-integration-test)");
        ProcessBuilder node = new ProcessBuilder(List.of("node", "--test", "--test-reporter=spec", "interop.test.mjs"))
                .directory(SUITE.toFile())
                .redirectErrorStream(true);
        node.environment().put("HEXGATE_URL", "http://localhost:" + RestAssured.port);
        node.environment().put("HEXGATE_KEY", Keys.FULL);
        node.environment().put("HEXGATE_PROXY_KEY", Keys.PROXY_ONLY);
        node.environment().put("HEX_TOKEN_APP", hex.personalToken("app"));
        node.environment().put("HEX_TOKEN_EU", hex.workspaceToken("eu"));
        node.environment().put("HEXGATE_WEBHOOK_SIGNING_KEY", WebhookReceiverResource.SIGNING_KEY);
        Process process = node.start();
        // Relayed line by line through System.out: a forked test JVM must not have children write to its own stdout.
        try (BufferedReader out = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
            out.lines().forEach(line -> System.out.println("[node] " + line));
        }
        assertTrue(process.waitFor(5, TimeUnit.MINUTES), "the Node suite finished in time");
        assertEquals(0, process.exitValue(), "the @nangohq/node interop suite failed (its output is above)");
    }

}
