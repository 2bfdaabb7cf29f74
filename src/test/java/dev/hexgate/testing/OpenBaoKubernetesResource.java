package dev.hexgate.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;

/**
 * A real OpenBao set up by the shipped {@code deploy/vault/kubernetes-auth.sh}, pointed at {@link FakeTokenReview} as its
 * Kubernetes API, and the gateway logging in with Kubernetes auth from a service-account token file, as in a pod.
 */
public class OpenBaoKubernetesResource implements QuarkusTestResourceLifecycleManager {

    private OpenBao vault;
    private FakeTokenReview kubernetes;

    @Override
    public Map<String, String> start() {
        NoSecretsInLogs.markStart();
        vault = OpenBao.dev("kubernetes");
        kubernetes = new FakeTokenReview("default", "hexgate");
        // Outside a pod there is no local service-account token or CA for Vault to use; OpenBao then wants a CA named,
        // though the fake API is plain HTTP and never presents one.
        TestCerts.Pem ca = TestCerts.selfSigned(Path.of("target", "kubernetes-sa"), "api-ca", "kubernetes.default.svc");
        VaultCli.run(vault, Path.of("deploy/vault/kubernetes-auth.sh"), Map.of("KUBERNETES_HOST", kubernetes.url(),
                "KUBERNETES_AUTH_OPTIONS", "disable_local_ca_jwt=true kubernetes_ca_cert=@" + ca.cert().toAbsolutePath()));
        try {
            Path jwt = Files.createDirectories(Path.of("target", "kubernetes-sa")).resolve("token");
            Files.writeString(jwt, kubernetes.token());
            return Map.of(
                    "hexgate.store", "vault",
                    "quarkus.vault.url", vault.url(),
                    "quarkus.vault.authentication.kubernetes.role", "hexgate",
                    "quarkus.vault.authentication.kubernetes.jwt-token-path", jwt.toAbsolutePath().toString(),
                    // With Kubernetes auth quarkus-vault trusts the pod's cluster CA file by default; there is none here,
                    // and this Vault speaks plain HTTP.
                    "quarkus.vault.tls.use-kubernetes-ca-cert", "false");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void inject(TestInjector injector) {
        injector.injectIntoFields(vault, new TestInjector.MatchesType(OpenBao.class));
        injector.injectIntoFields(kubernetes, new TestInjector.MatchesType(FakeTokenReview.class));
    }

    @Override
    public void stop() {
        if (vault != null) {
            vault.close();
        }
        if (kubernetes != null) {
            kubernetes.close();
        }
    }
}
