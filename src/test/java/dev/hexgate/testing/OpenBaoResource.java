package dev.hexgate.testing;

import java.util.Map;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;

/**
 * Starts a real OpenBao dev server for a test class and points quarkus-vault and the Vault store at it, with a token
 * that holds only the shipped policy ({@code deploy/vault/hexgate-policy.hcl}).
 */
public class OpenBaoResource implements QuarkusTestResourceLifecycleManager {

    /** Init argument: the gateway token's TTL (default 1h), e.g. {@code 15s} to outlive it within a test. */
    public static final String TOKEN_TTL = "token-ttl";
    /** Init argument: {@code false} for a gateway token that cannot be renewed. */
    public static final String TOKEN_RENEWABLE = "token-renewable";

    /** The running server, for {@link #inject} and {@link #stop}; set by {@link #start}. */
    protected OpenBao vault;
    private String tokenTtl = "1h";
    private boolean renewable = true;

    @Override
    public void init(Map<String, String> initArgs) {
        tokenTtl = initArgs.getOrDefault(TOKEN_TTL, tokenTtl);
        renewable = Boolean.parseBoolean(initArgs.getOrDefault(TOKEN_RENEWABLE, "true"));
    }

    @Override
    public Map<String, String> start() {
        NoSecretsInLogs.markStart();
        vault = OpenBao.dev("test", tokenTtl, renewable);
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
