package dev.hexgate.proxy;

import jakarta.inject.Singleton;

import dev.hexgate.config.HexgateConfig;
import dev.hexgate.error.ErrorCode;
import dev.hexgate.error.GatewayException;
import io.vertx.core.Future;

/** Step 3: a body that declares more than {@code HEXGATE_PROXY_MAX_BODY_SIZE} is refused before a byte of it is read. */
@Singleton
class CheckDeclaredSize implements ProxyStep {

    private final long maxBodySize;

    CheckDeclaredSize(HexgateConfig config) {
        this.maxBodySize = config.proxy().maxBodySize().asLongValue();
    }

    @Override
    public Future<Void> apply(ProxyContext ctx) {
        String declared = ctx.request().getHeader("Content-Length");
        if (declared == null) {
            return Future.succeededFuture();
        }
        long length;
        try {
            length = Long.parseLong(declared.trim());
        } catch (NumberFormatException e) {
            return Future.failedFuture(new GatewayException(ErrorCode.INVALID_HEADERS, "Content-Length is not a number."));
        }
        return length > maxBodySize ? Future.failedFuture(tooLarge(maxBodySize)) : Future.succeededFuture();
    }

    static GatewayException tooLarge(long limit) {
        return new GatewayException(ErrorCode.REQUEST_TOO_LARGE,
                "The request body is larger than the limit of " + limit + " bytes.");
    }
}
