package dev.hexgate.store;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.function.Supplier;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Typed;

import dev.hexgate.config.HexgateConfig;
import dev.hexgate.support.Failures;
import io.quarkus.arc.Unremovable;
import io.quarkus.vault.client.VaultClient;
import io.quarkus.vault.client.VaultClientException;
import io.quarkus.vault.client.api.secrets.kv2.VaultSecretsKV2;
import io.quarkus.vault.client.api.secrets.kv2.VaultSecretsKV2ListSecretsResult;
import io.quarkus.vault.client.api.secrets.kv2.VaultSecretsKV2UpdateSecretOptions;
import io.quarkus.vault.client.common.VaultLeasedResultExtractor;
import io.quarkus.vault.client.common.VaultRequest;
import io.smallrye.mutiny.Uni;

/**
 * {@link Records} in Vault KV v2 (mount {@code HEXGATE_VAULT_KV_MOUNT}, under {@code HEXGATE_VAULT_PATH}), through
 * quarkus-vault's non-blocking client. Secret records keep one version ({@code max_versions=1}), so a replaced token is
 * gone with the write that replaced it; compare-and-set is Vault's own {@code cas}. The only class that talks to Vault's
 * KV engine.
 */
@ApplicationScoped
@Typed(VaultRecords.class)
@Unremovable
public class VaultRecords implements Records {

    /** What {@link #check} reads; nothing is ever written there. */
    static final String CHECK_KEY = "health-check";

    private final VaultClient client;
    private final VaultSecretsKV2 kv;
    private final String mount;
    private final String base;
    private final StoreMetrics metrics;
    private final OutageLog outages;

    public VaultRecords(VaultClient client, HexgateConfig config, StoreMetrics metrics) {
        this.client = client;
        this.mount = config.vault().kvMount();
        this.kv = client.secrets().kv2(mount);
        this.base = config.vault().path();
        this.metrics = metrics;
        this.outages = new OutageLog("Vault", metrics);
    }

    @Override
    public Uni<Optional<Versioned<Map<String, String>>>> read(String key) {
        return call("read", () -> kv.readSecret(path(key)))
                .map(secret -> {
                    Map<String, String> value = new HashMap<>();
                    if (secret.getData() != null) {
                        secret.getData().forEach((k, v) -> value.put(k, v == null ? null : String.valueOf(v)));
                    }
                    int version = secret.getMetadata() == null || secret.getMetadata().getVersion() == null ? 1
                            : secret.getMetadata().getVersion();
                    return Optional.of(new Versioned<>(value, version));
                })
                .onFailure(VaultRecords::isNotFound).recoverWithItem(Optional.empty());
    }

    @Override
    public Uni<Boolean> write(String key, Map<String, String> value, int expectedVersion, boolean secret) {
        String path = path(key);
        Uni<Void> oneVersion = secret
                // Older versions are pruned for good by the next write: a replaced token cannot be read back.
                ? call("write metadata", () -> kv.updateSecretMetadata(path, 1, null, null, null))
                : Uni.createFrom().voidItem();
        Map<String, Object> data = new HashMap<>(value);
        return oneVersion.flatMap(done -> Uni.createFrom()
                .completionStage(
                        () -> kv.updateSecret(path, new VaultSecretsKV2UpdateSecretOptions().setCas(expectedVersion), data))
                .map(written -> true)
                .onFailure(VaultRecords::isCasMismatch).recoverWithItem(false)
                .onFailure(e -> !(e instanceof StoreException)).transform(e -> failed("write", e))
                .onItem().invoke(outages::succeeded)
                .plug(uni -> metrics.timed("write", uni)));
    }

    @Override
    public Uni<Void> put(String key, Map<String, String> value) {
        Map<String, Object> data = new HashMap<>(value);
        String path = path(key);
        return Uni.createFrom().completionStage(() -> kv.updateSecret(path, null, data)).replaceWithVoid()
                .onFailure(VaultRecords::isCasRequired)
                .recoverWithUni(() -> putOnCasRequiredMount(path, data, 3).replaceWithVoid())
                .onFailure(e -> !(e instanceof StoreException)).transform(e -> failed("write", e))
                .onItem().invoke(outages::succeeded)
                .plug(uni -> metrics.timed("write", uni));
    }

    /** A mount (or key) with {@code cas_required=true} refuses unversioned writes: write over whatever version is current. */
    private Uni<Object> putOnCasRequiredMount(String path, Map<String, Object> data, int attemptsLeft) {
        return call("read metadata", () -> kv.readSecretMetadata(path))
                .map(meta -> meta.getCurrentVersion() == null ? 0 : meta.getCurrentVersion())
                .onFailure(VaultRecords::isNotFound).recoverWithItem(0)
                .flatMap(current -> Uni.createFrom()
                        .completionStage(
                                () -> kv.updateSecret(path, new VaultSecretsKV2UpdateSecretOptions().setCas(current), data))
                        .map(Object.class::cast)
                        .onFailure(e -> isCasMismatch(e) && attemptsLeft > 1)
                        .recoverWithUni(() -> putOnCasRequiredMount(path, data, attemptsLeft - 1))
                        .onFailure(e -> !(e instanceof StoreException)).transform(e -> failed("write", e)));
    }

    @Override
    public Uni<Boolean> delete(String key) {
        String path = path(key);
        // Metadata, not data: a soft delete would leave every version readable in the history.
        return version(key).flatMap(version -> version == Versioned.ABSENT ? Uni.createFrom().item(false)
                : call("delete", () -> kv.deleteSecretMetadata(path)).replaceWith(true));
    }

    @Override
    public Uni<Integer> version(String key) {
        return call("read metadata", () -> kv.readSecretMetadata(path(key)))
                .map(meta -> meta.getCurrentVersion() == null ? Versioned.ABSENT : meta.getCurrentVersion())
                .onFailure(VaultRecords::isNotFound).recoverWithItem(Versioned.ABSENT);
    }

    @Override
    public Uni<List<String>> list(String folder, String after, int limit) {
        // OpenBao pages a LIST (after, limit); HashiCorp Vault ignores both and answers the whole folder, sorted. Both are
        // cut here, so the caller sees the same either way.
        VaultRequest<VaultSecretsKV2ListSecretsResult> request = VaultRequest.<VaultSecretsKV2ListSecretsResult> list("List")
                .path(mount, "metadata", path(folder))
                .queryParam(after != null, "after", after)
                .queryParam("limit", limit)
                .expectOkStatus()
                .build(VaultLeasedResultExtractor.of(VaultSecretsKV2ListSecretsResult.class));
        return call("list", () -> client.execute(request))
                .map(response -> {
                    List<String> keys = response.getResult() == null || response.getResult().getData() == null ? List.of()
                            : response.getResult().getData().getKeys();
                    List<String> page = new ArrayList<>(Math.min(limit, keys == null ? 0 : keys.size()));
                    for (String k : keys == null ? List.<String> of() : keys) {
                        if ((after == null || k.compareTo(after) > 0) && page.size() < limit) {
                            page.add(k);
                        }
                    }
                    return page;
                })
                .onFailure(VaultRecords::isNotFound).recoverWithItem(List.of());
    }

    /**
     * One metadata read of a fixed key (absent is fine): proves the server is reachable, unsealed and that the token and its
     * policy still work, at the same cost at any number of connections. A LIST of {@code connections/} would not: OpenBao
     * lists a KV v2 folder whole before it pages it (its key names are stored encrypted), about a second per 100,000 keys
     * — past the readiness probe's timeout at a few hundred thousand connections.
     */
    @Override
    public Uni<Void> check() {
        return call("check", () -> kv.readSecretMetadata(path(CHECK_KEY))).replaceWithVoid()
                .onFailure(VaultRecords::isNotFound).recoverWithNull();
    }

    @Override
    public String kind() {
        return "vault";
    }

    private String path(String key) {
        return base + "/" + (key.endsWith("/") ? key.substring(0, key.length() - 1) : key);
    }

    /**
     * One Vault call: 404 stays a VaultClientException for the caller to treat as absent, anything else is a StoreException.
     */
    private <T> Uni<T> call(String operation, Supplier<CompletionStage<T>> request) {
        return metrics.timed(operation, Uni.createFrom().completionStage(request)
                .onItem().invoke(outages::succeeded)
                .onFailure().transform(e -> {
                    Throwable cause = unwrap(e);
                    if (isNotFound(cause)) {
                        outages.succeeded();
                        return cause;
                    }
                    return failed(operation, cause);
                }));
    }

    private StoreException failed(String operation, Throwable e) {
        String cause = describe(unwrap(e));
        // The outage is logged by its cause: reads and writes failing in turn for one reason make one line, not one each.
        outages.failed(cause);
        return new StoreException("Vault " + operation + " failed: " + cause);
    }

    /** Vault's answer when a check-and-set write lost the race: 400 "check-and-set parameter did not match…". */
    private static boolean isCasMismatch(Throwable e) {
        Throwable cause = unwrap(e);
        return cause instanceof VaultClientException vce && Integer.valueOf(400).equals(vce.getStatus())
                && VaultErrors.mention(vce, "check-and-set");
    }

    /** The mount or key requires check-and-set and the write carried none. */
    private static boolean isCasRequired(Throwable e) {
        Throwable cause = e instanceof StoreException ? null : unwrap(e);
        return cause instanceof VaultClientException vce && Integer.valueOf(400).equals(vce.getStatus())
                && VaultErrors.mention(vce, "check-and-set parameter required");
    }

    private static boolean isNotFound(Throwable e) {
        return unwrap(e) instanceof VaultClientException vce && Integer.valueOf(404).equals(vce.getStatus());
    }

    static Throwable unwrap(Throwable e) {
        while (e instanceof CompletionException && e.getCause() != null) {
            e = e.getCause();
        }
        return e;
    }

    /** An operator's description of a Vault failure; Vault's own error text is never passed on. */
    static String describe(Throwable e) {
        if (e instanceof VaultClientException vce && vce.getStatus() != null) {
            int status = vce.getStatus();
            if (status == 403) {
                return VaultErrors.mention(vce, "invalid token")
                        ? "403 invalid token (expired or revoked; check the Vault authentication settings)"
                        : "403 permission denied (check the Vault policy for the hexgate path)";
            }
            if (status == 503) {
                return VaultErrors.mention(vce, "sealed") ? "503 Vault is sealed" : "503 no active Vault node";
            }
            if (status == 429) {
                return "429 rate-limited (a Vault quota) or a standby node";
            }
            if (status == 400 && VaultErrors.mention(vce, "check-and-set parameter required")) {
                return "400 check-and-set required by the mount, and this write was not versioned";
            }
            return "unexpected status " + status;
        }
        if (Failures.isConnectFailure(e)) {
            return "unreachable (connection refused)";
        }
        if (Failures.isUnreadableFile(e)) {
            // e.g. Kubernetes auth outside a pod: quarkus-vault reads the service-account token and, by default, its CA.
            return "a file the Vault client needs could not be read (the Kubernetes service-account token, or a TLS CA: "
                    + "QUARKUS_VAULT_TLS_*)";
        }
        return Failures.isTimeout(e) ? "timed out" : e.getClass().getSimpleName();
    }
}
