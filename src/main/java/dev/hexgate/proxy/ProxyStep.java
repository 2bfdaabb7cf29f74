package dev.hexgate.proxy;

import io.vertx.core.Future;
import io.vertx.core.http.HttpClientResponse;

/**
 * One step of a proxied request ({@link ProxyRoute} lists them in order). A step that lets the request go on returns a
 * succeeded future (usually {@code Future.succeededFuture()}, already complete, so the next step runs at once); one that
 * refuses returns a failed future carrying the {@code GatewayException}, and Hex is never contacted.
 */
interface ProxyStep {

    Future<Void> apply(ProxyContext ctx);

    /** Hex answered this request (after retries); steps that care about the answer look at it here. */
    default void onUpstreamResponse(ProxyContext ctx, HttpClientResponse response) {
    }
}
