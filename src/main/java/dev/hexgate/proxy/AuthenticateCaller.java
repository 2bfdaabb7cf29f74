package dev.hexgate.proxy;

import jakarta.inject.Singleton;

import dev.hexgate.audit.AuditLog;
import dev.hexgate.auth.AuthThrottle;
import dev.hexgate.auth.SecretKeys;
import dev.hexgate.error.GatewayException;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;

/**
 * Step 1: the caller's secret key (either scope may proxy); repeated failures from one address are answered later and later.
 */
@Singleton
class AuthenticateCaller implements ProxyStep {

    private final SecretKeys keys;
    private final AuthThrottle throttle;
    private final AuditLog audit;
    private final Vertx vertx;
    private final ProxyMetrics metrics;

    AuthenticateCaller(SecretKeys keys, AuthThrottle throttle, AuditLog audit, Vertx vertx, ProxyMetrics metrics) {
        this.metrics = metrics;
        this.keys = keys;
        this.throttle = throttle;
        this.audit = audit;
        this.vertx = vertx;
    }

    @Override
    public Future<Void> apply(ProxyContext ctx) {
        String authorization = ctx.request().getHeader("Authorization");
        try {
            String keyId = keys.identify(authorization).keyId();
            ctx.authenticated(keyId);
            metrics.used(keyId);
            return Future.succeededFuture();
        } catch (GatewayException e) {
            audit.byKey(SecretKeys.keyId(authorization), "denied", null, e.code().code());
            AuthThrottle.DelayedRefusal refusal = throttle.refuse(ctx.request().remoteAddress().hostAddress(), e);
            if (refusal.delay().isZero()) {
                return Future.failedFuture(refusal.refusal());
            }
            Promise<Void> later = Promise.promise();
            vertx.setTimer(refusal.delay().toMillis(), id -> later.fail(refusal.refusal()));
            return later.future();
        }
    }
}
