package dev.hexgate.testing;

import java.util.Map;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;

/**
 * Starts a real OpenBao dev server for a test class and points quarkus-vault and the Vault store at it, with a token
 * that holds only the shipped policy ({@code deploy/vault/hexgate-policy.hcl}).
 */
public class OpenBaoResource implements QuarkusTestResourceLifecycleManager {

    private OpenBao vault;

    @Override
    public Map<String, String> start() {
        NoSecretsInLogs.markStart();
        vault = OpenBao.dev("test");
        NoSecretsInLogs.secret(vault.gatewayToken());
        return Map.of(
                "hexgate.store", "vault",
                "quarkus.vault.url", vault.url(),
                "quarkus.vault.authentication.client-token", vault.gatewayToken());
    }

    @Override
    public void inject(TestInjector injector) {
        injector.injectIntoFields(vault, new TestInjector.MatchesType(OpenBao.class));
    }

    @Override
    public void stop() {
        if (vault != null) {
            vault.close();
        }
    }
}
