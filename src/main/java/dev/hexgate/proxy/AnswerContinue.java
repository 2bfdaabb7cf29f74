package dev.hexgate.proxy;

import jakarta.inject.Singleton;

import io.vertx.core.Future;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpVersion;

/**
 * Step 4: a caller that sent {@code Expect: 100-continue} and waits before its body is told to go on, now that its key,
 * control headers and declared size are known good. A request refused by an earlier step gets its final answer instead
 * and never sends the body (RFC 9110 §10.1.1). The expectation is the gateway's to answer; it is not forwarded.
 */
@Singleton
class AnswerContinue implements ProxyStep {

    @Override
    public Future<Void> apply(ProxyContext ctx) {
        HttpServerRequest request = ctx.request();
        String expect = request.getHeader("Expect");
        if (expect != null && expect.trim().equalsIgnoreCase("100-continue") && request.version() != HttpVersion.HTTP_1_0
                && !request.isEnded()) {
            request.response().writeContinue();
        }
        return Future.succeededFuture();
    }
}
