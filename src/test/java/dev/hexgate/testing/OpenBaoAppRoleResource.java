package dev.hexgate.testing;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * A real OpenBao set up by the shipped {@code deploy/vault/approle.sh}, and the gateway logging in with the role id and
 * secret id it printed (no static token).
 */
public class OpenBaoAppRoleResource extends OpenBaoResource {

    @Override
    public Map<String, String> start() {
        NoSecretsInLogs.markStart();
        vault = OpenBao.dev("approle");
        List<String> printed = VaultCli.run(vault, Path.of("deploy/vault/approle.sh"), Map.of()).lines().toList();
        String roleId = printed.stream().filter(l -> l.startsWith("role_id=")).findFirst().orElseThrow().substring(8);
        String secretId = printed.stream().filter(l -> l.startsWith("secret_id=")).findFirst().orElseThrow().substring(10);
        NoSecretsInLogs.secret(secretId);
        return Map.of(
                "hexgate.store", "vault",
                "quarkus.vault.url", vault.url(),
                "quarkus.vault.authentication.app-role.role-id", roleId,
                "quarkus.vault.authentication.app-role.secret-id", secretId);
    }
}
