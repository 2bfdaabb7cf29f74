package dev.hexgate.proxy;

import jakarta.inject.Singleton;

import dev.hexgate.domain.StoredConnection;
import dev.hexgate.error.ErrorCode;
import dev.hexgate.error.GatewayException;
import dev.hexgate.store.StoreException;
import dev.hexgate.store.TokenCache;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClientResponse;

/**
 * Step 5: the stored connection and its token, from this replica's cache when it is fresh (no allocation, no hop), else
 * from the store; the answer comes back on the request's event loop. The request is never replayed after a 401.
 */
@Singleton
class ResolveConnection implements ProxyStep {

    private final TokenCache cache;

    ResolveConnection(TokenCache cache) {
        this.cache = cache;
    }

    @Override
    public Future<Void> apply(ProxyContext ctx) {
        StoredConnection cached = cache.freshOrNull(ctx.connectionId());
        if (cached != null) {
            ctx.resolved(cached);
            return Future.succeededFuture();
        }
        return Future.fromCompletionStage(cache.get(ctx.connectionId()).subscribeAsCompletionStage(), Vertx.currentContext())
                .transform(loaded -> {
                    if (loaded.failed()) {
                        return Future.failedFuture(loaded.cause() instanceof StoreException
                                ? new GatewayException(ErrorCode.STORE_UNAVAILABLE,
                                        "The connection store is unavailable and this connection is not cached.")
                                : loaded.cause());
                    }
                    if (loaded.result().isEmpty()) {
                        return Future.failedFuture(new GatewayException(ErrorCode.UNKNOWN_CONNECTION,
                                "No connection with this Connection-Id."));
                    }
                    ctx.resolved(loaded.result().get());
                    return Future.succeededFuture();
                });
    }

    /**
     * Hex refused the token: a cached one that is not brand new may have been replaced elsewhere, so read it again next time.
     */
    @Override
    public void onUpstreamResponse(ProxyContext ctx, HttpClientResponse response) {
        if (response.statusCode() == 401) {
            cache.rejectedByHex(ctx.connection());
        }
    }
}
