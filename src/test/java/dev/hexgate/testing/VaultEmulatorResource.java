package dev.hexgate.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Map;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;

/** Starts the Vault emulator on a random port and points quarkus-vault and the Vault store at it. */
public class VaultEmulatorResource implements QuarkusTestResourceLifecycleManager {

    private VaultEmulator vault;

    @Override
    public Map<String, String> start() {
        NoSecretsInLogs.markStart();
        vault = new VaultEmulator("secret");
        try {
            vault.start();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return Map.of(
                "hexgate.store", "vault",
                "quarkus.vault.url", vault.url(),
                "quarkus.vault.authentication.client-token", VaultEmulator.ROOT_TOKEN);
    }

    @Override
    public void inject(TestInjector injector) {
        injector.injectIntoFields(vault, new TestInjector.MatchesType(VaultEmulator.class));
    }

    @Override
    public void stop() {
        if (vault != null) {
            vault.stop();
        }
    }
}
