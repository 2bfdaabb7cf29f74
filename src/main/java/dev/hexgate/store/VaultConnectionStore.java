package dev.hexgate.store;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.function.Supplier;
import java.util.stream.Collectors;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Typed;

import org.jboss.logging.Logger;

import dev.hexgate.config.HexgateConfig;
import dev.hexgate.domain.ConnectSession;
import dev.hexgate.domain.Connection;
import dev.hexgate.domain.StoredConnection;
import dev.hexgate.support.Failures;
import io.quarkus.arc.Unremovable;
import io.quarkus.vault.client.VaultClient;
import io.quarkus.vault.client.VaultClientException;
import io.quarkus.vault.client.api.secrets.kv2.VaultSecretsKV2;
import io.quarkus.vault.client.api.secrets.kv2.VaultSecretsKV2UpdateSecretOptions;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;

/**
 * Connections in Vault KV v2 (docs/contract.md §7): one secret per connection at
 * {@code <path>/connections/<connection_id>} and connect sessions under {@code <path>/connect-sessions/<sha256 of token>},
 * through quarkus-vault's non-blocking client. The only class that talks to Vault.
 */
@ApplicationScoped
@Typed(VaultConnectionStore.class)
@Unremovable
public class VaultConnectionStore implements ConnectionStore {

    private static final Logger LOG = Logger.getLogger(VaultConnectionStore.class);
    private static final String TOKEN_FIELD = "api_key";
    private static final String CONNECTION_FIELD = "connection";
    private static final String SESSION_FIELD = "session";
    private static final int LIST_CONCURRENCY = 8;

    private final VaultSecretsKV2 kv;
    private final String folder;
    private final String sessions;
    private final ConnectionCodec codec;
    private final OutageLog outages = new OutageLog("Vault");

    private final StoreMetrics metrics;

    public VaultConnectionStore(VaultClient client, HexgateConfig config, ConnectionCodec codec, StoreMetrics metrics) {
        this.metrics = metrics;
        this.kv = client.secrets().kv2(config.vault().kvMount());
        this.folder = config.vault().path() + "/connections";
        this.sessions = config.vault().path() + "/connect-sessions";
        this.codec = codec;
    }

    @Override
    public Uni<Optional<StoredConnection>> find(String connectionId) {
        return call("read", () -> kv.readSecret(path(connectionId)))
                .map(secret -> Optional.of(decode(secret.getData())))
                .onFailure(VaultConnectionStore::isNotFound).recoverWithItem(Optional.empty());
    }

    @Override
    public Uni<List<Connection>> list() {
        return keysUnder(folder)
                .onItem().transformToUni(this::find).merge(LIST_CONCURRENCY)
                .filter(Optional::isPresent)
                .map(found -> found.get().connection())
                .collect().asList();
    }

    @Override
    public Uni<Void> save(StoredConnection connection) {
        Map<String, Object> data = Map.of(
                TOKEN_FIELD, connection.token(),
                CONNECTION_FIELD, codec.write(connection.connection()));
        String path = path(connection.connectionId());
        return call("write", () -> kv.updateSecret(path, null, data))
                .call(written -> destroyOlderVersions(path))
                .replaceWithVoid();
    }

    @Override
    public Uni<Boolean> delete(String connectionId) {
        String path = path(connectionId);
        // Hard delete (metadata): a soft delete would leave the token readable in the version history.
        return call("read", () -> kv.readSecretMetadata(path))
                .map(meta -> true)
                .onFailure(VaultConnectionStore::isNotFound).recoverWithItem(false)
                .call(existed -> existed ? call("delete", () -> kv.deleteSecretMetadata(path)) : Uni.createFrom().voidItem());
    }

    @Override
    public Uni<Void> createSession(String id, ConnectSession session) {
        // cas 0: only if no session was ever written under this id.
        return call("write", () -> kv.updateSecret(sessionPath(id), new VaultSecretsKV2UpdateSecretOptions().setCas(0),
                Map.of(SESSION_FIELD, codec.writeSession(session)))).replaceWithVoid();
    }

    @Override
    public Uni<Optional<SessionRecord>> findSession(String id) {
        return call("read", () -> kv.readSecret(sessionPath(id)))
                .map(secret -> {
                    Object json = secret.getData() == null ? null : secret.getData().get(SESSION_FIELD);
                    if (!(json instanceof String j) || secret.getMetadata() == null) {
                        throw new StoreException("A Vault secret under " + sessions + " is not a connect session");
                    }
                    return Optional.of(new SessionRecord(codec.readSession(j), secret.getMetadata().getVersion()));
                })
                .onFailure(VaultConnectionStore::isNotFound).recoverWithItem(Optional.empty());
    }

    @Override
    public Uni<Boolean> replaceSession(String id, ConnectSession session, int revision) {
        return Uni.createFrom().completionStage(() -> kv.updateSecret(sessionPath(id),
                new VaultSecretsKV2UpdateSecretOptions().setCas(revision), Map.of(SESSION_FIELD, codec.writeSession(session))))
                .map(written -> true)
                .onFailure(VaultConnectionStore::isCasMismatch).recoverWithItem(false)
                .onFailure(e -> !(e instanceof StoreException)).transform(e -> {
                    String reason = "Vault write failed: " + describe(unwrap(e));
                    outages.failed(reason);
                    return new StoreException(reason);
                });
    }

    @Override
    public Uni<Integer> purgeSessions(Instant expiredBefore) {
        // Hard deletes, as for connections; a session that expired cannot be used, so deleting it races with nothing.
        return keysUnder(sessions)
                .onItem().transformToUni(id -> findSession(id).flatMap(found -> found.isPresent()
                        && found.get().session().isExpired(expiredBefore)
                                ? call("delete", () -> kv.deleteSecretMetadata(sessionPath(id))).replaceWith(1)
                                : Uni.createFrom().item(0)))
                .merge(LIST_CONCURRENCY)
                .collect().with(Collectors.summingInt(Integer::intValue));
    }

    @Override
    public Uni<Void> check() {
        return call("list", () -> kv.listSecrets(folder))
                .onFailure(VaultConnectionStore::isNotFound).recoverWithNull()
                .replaceWithVoid();
    }

    @Override
    public String kind() {
        return "vault";
    }

    /**
     * A replaced token must not stay readable as an older version. The write's answer does not carry the new version
     * number through quarkus-vault, so the key's metadata says which versions still hold data. A failure here is logged,
     * not reported: the link itself succeeded.
     */
    private Uni<Void> destroyOlderVersions(String path) {
        return call("read metadata", () -> kv.readSecretMetadata(path))
                .flatMap(meta -> {
                    List<Integer> older = meta.getVersions() == null ? List.of()
                            : meta.getVersions().entrySet().stream()
                                    .filter(v -> !Boolean.TRUE.equals(v.getValue().isDestroyed()))
                                    .map(v -> Integer.valueOf(v.getKey()))
                                    .filter(v -> v < meta.getCurrentVersion())
                                    .toList();
                    return older.isEmpty() ? Uni.createFrom().voidItem()
                            : call("destroy", () -> kv.destroySecretVersions(path, older));
                })
                .onFailure().invoke(e -> LOG.warnf("A replaced connection's older versions could not be destroyed in Vault: %s",
                        e instanceof StoreException ? e.getMessage() : e.getClass().getSimpleName()))
                .onFailure().recoverWithNull()
                .replaceWithVoid();
    }

    /** The secrets directly in a folder; Vault answers LIST on an empty or missing folder with 404 (none). */
    private Multi<String> keysUnder(String path) {
        return call("list", () -> kv.listSecrets(path))
                .onFailure(VaultConnectionStore::isNotFound).recoverWithItem(List.of())
                .onItem().transformToMulti(keys -> Multi.createFrom().iterable(keys))
                .filter(key -> !key.endsWith("/"));
    }

    private StoredConnection decode(Map<String, Object> data) {
        Object token = data == null ? null : data.get(TOKEN_FIELD);
        Object json = data == null ? null : data.get(CONNECTION_FIELD);
        if (!(token instanceof String t) || !(json instanceof String j)) {
            throw new StoreException("A Vault secret under " + folder + " is not a hexgate connection");
        }
        return new StoredConnection(codec.read(j), t);
    }

    private String path(String connectionId) {
        return folder + "/" + connectionId;
    }

    /**
     * Runs one Vault call: 404 stays a VaultClientException for the caller to treat as absent, anything else is a
     * StoreException.
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
                    String reason = "Vault " + operation + " failed: " + describe(cause);
                    outages.failed(reason);
                    return new StoreException(reason);
                }));
    }

    /**
     * Vault's answer when a check-and-set write lost the race: 400 with this text
     * (https://developer.hashicorp.com/vault/api-docs/secret/kv/kv-v2).
     */
    private static boolean isCasMismatch(Throwable e) {
        Throwable cause = unwrap(e);
        return cause instanceof VaultClientException vce && Integer.valueOf(400).equals(vce.getStatus())
                && VaultErrors.mention(vce, "check-and-set");
    }

    private String sessionPath(String id) {
        return sessions + "/" + id;
    }

    private static boolean isNotFound(Throwable e) {
        return e instanceof VaultClientException vce && Integer.valueOf(404).equals(vce.getStatus());
    }

    private static Throwable unwrap(Throwable e) {
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
                return "429 rate-limited or standby node";
            }
            return "unexpected status " + status;
        }
        if (Failures.isConnectFailure(e)) {
            return "unreachable (connection refused)";
        }
        return Failures.isTimeout(e) ? "timed out" : e.getClass().getSimpleName();
    }
}
