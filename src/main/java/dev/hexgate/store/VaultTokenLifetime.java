package dev.hexgate.store;

import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.concurrent.atomic.AtomicLong;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Instance;

import org.eclipse.microprofile.config.ConfigProvider;
import org.jboss.logging.Logger;

import dev.hexgate.config.HexgateConfig;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.scheduler.Scheduled;
import io.quarkus.vault.client.VaultClient;
import io.quarkus.vault.client.api.auth.token.VaultAuthTokenTokenInfoData;
import io.smallrye.mutiny.Uni;

/**
 * Keeps hexgate's Vault token alive and in view. quarkus-vault 4.7 never renews a static client token
 * ({@code QUARKUS_VAULT_AUTHENTICATION_CLIENT_TOKEN}: it takes it for one that never expires), so a renewable token with a
 * TTL would die under the gateway. Every {@code HEXGATE_VAULT_TOKEN_CHECK_EVERY} this looks the token up
 * ({@code auth/token/lookup-self}), renews a static renewable one ({@code auth/token/renew-self}) once a third of its TTL
 * has passed, as Vault's own agent does, and warns while a token that cannot be renewed (or has reached its maximum TTL)
 * runs out. {@code hexgate_vault_token_ttl_seconds} shows what is left (-1: never expires); AppRole and Kubernetes logins
 * are renewed by quarkus-vault itself and only looked up here.
 */
@ApplicationScoped
public class VaultTokenLifetime {

    private static final Logger LOG = Logger.getLogger(VaultTokenLifetime.class);
    /** Warn while less than this is left of a token that will not be renewed. */
    static final Duration WARN_WITHIN = Duration.ofDays(3);
    private static final Duration WARN_EVERY = Duration.ofHours(1);
    private static final long UNKNOWN = Long.MIN_VALUE;

    private final Instance<VaultClient> clients;
    private final boolean vault;
    private final boolean staticToken;
    private final AtomicLong ttlSeconds = new AtomicLong(UNKNOWN);
    private final InstantSource clock;
    /** When the last expiry warning was written: at most one an hour. */
    private volatile Instant warned = Instant.EPOCH;

    public VaultTokenLifetime(Instance<VaultClient> clients, HexgateConfig config, MeterRegistry registry,
            InstantSource clock) {
        this.clients = clients;
        this.clock = clock;
        this.vault = config.storeKind() == HexgateConfig.StoreKind.VAULT;
        this.staticToken = ConfigProvider.getConfig()
                .getOptionalValue("quarkus.vault.authentication.client-token", String.class).isPresent();
        if (vault) {
            Gauge.builder("hexgate.vault.token.ttl", ttlSeconds, v -> v.get() == UNKNOWN ? Double.NaN : v.get())
                    .description("Seconds left of hexgate's Vault token (-1: it never expires)").baseUnit("seconds")
                    .register(registry);
        }
    }

    /** Seconds left of the token at the last look-up, -1 when it never expires, or null before the first look-up. */
    public Long ttlSeconds() {
        long value = ttlSeconds.get();
        return value == UNKNOWN ? null : value;
    }

    @Scheduled(identity = "vault-token", every = "{hexgate.vault.token-check-every}", executionMaxDelay = "5s", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    Uni<Void> scheduled() {
        return check();
    }

    /** Looks the token up, renews it when due, and reports; a failure is logged and tried again at the next check. */
    public Uni<Void> check() {
        if (!vault) {
            return Uni.createFrom().voidItem();
        }
        VaultClient client = clients.get();
        return Uni.createFrom().completionStage(() -> client.auth().token().lookupSelf())
                .flatMap(info -> renewIfDue(client, info))
                .invoke(this::report)
                // The same operator description as every other Vault failure ("403 invalid token …"), never Vault's text.
                .onFailure().invoke(f -> LOG.warnf("Looking up or renewing hexgate's Vault token failed: %s",
                        VaultRecords.describe(VaultRecords.unwrap(f))))
                .onFailure().recoverWithNull().replaceWithVoid();
    }

    private Uni<VaultAuthTokenTokenInfoData> renewIfDue(VaultClient client, VaultAuthTokenTokenInfoData info) {
        Duration ttl = orZero(info.getTtl());
        Duration full = orZero(info.getCreationTtl());
        boolean due = staticToken && Boolean.TRUE.equals(info.isRenewable()) && !ttl.isZero()
                && ttl.compareTo(full.multipliedBy(2).dividedBy(3)) <= 0;
        if (!due) {
            return Uni.createFrom().item(info);
        }
        return Uni.createFrom().completionStage(() -> client.auth().token().renewSelf(full))
                .flatMap(renewed -> Uni.createFrom().completionStage(() -> client.auth().token().lookupSelf()))
                .invoke(renewed -> LOG.debugf("Renewed hexgate's Vault token: %d s left",
                        orZero(renewed.getTtl()).toSeconds()));
    }

    private void report(VaultAuthTokenTokenInfoData info) {
        Duration ttl = orZero(info.getTtl());
        if (ttl.isZero()) {
            ttlSeconds.set(-1);
            return;
        }
        ttlSeconds.set(ttl.toSeconds());
        boolean renewedHere = staticToken && Boolean.TRUE.equals(info.isRenewable());
        boolean capped = renewedHere && ttl.compareTo(orZero(info.getCreationTtl()).dividedBy(2)) < 0;
        Instant now = clock.instant();
        if (ttl.compareTo(WARN_WITHIN) < 0 && (!renewedHere || capped) && staticToken
                && Duration.between(warned, now).compareTo(WARN_EVERY) >= 0) {
            warned = now;
            LOG.warnf("hexgate's Vault token expires in %d s and %s: the store becomes unavailable then. Give hexgate a "
                    + "periodic token, or use AppRole or Kubernetes auth (README, Vault)", ttl.toSeconds(),
                    renewedHere ? "has reached its maximum TTL" : "cannot be renewed");
        }
    }

    private static Duration orZero(Duration value) {
        return value == null ? Duration.ZERO : value;
    }
}
