package dev.hexgate.proxy;

import jakarta.inject.Singleton;

import org.jboss.logging.Logger;

import dev.hexgate.error.ErrorCode;
import dev.hexgate.error.GatewayException;
import dev.hexgate.error.Redaction;
import dev.hexgate.hex.HexHost;
import io.vertx.core.Future;

/** Step 6: the upstream origin from the stored subdomain, the only input that may choose a host. */
@Singleton
class BuildOrigin implements ProxyStep {

    private static final Logger LOG = Logger.getLogger(BuildOrigin.class);

    private final HexHost hexHost;

    BuildOrigin(HexHost hexHost) {
        this.hexHost = hexHost;
    }

    @Override
    public Future<Void> apply(ProxyContext ctx) {
        try {
            ctx.origin(hexHost.origin(ctx.connection().connection().subdomain()));
            return Future.succeededFuture();
        } catch (IllegalArgumentException e) {
            // A record not written by hexgate (or edited in the store): never send its token anywhere.
            LOG.errorf("Connection %s holds an invalid subdomain; refusing to proxy it",
                    Redaction.connectionRef(ctx.connectionId()));
            return Future.failedFuture(
                    new GatewayException(ErrorCode.SERVER_ERROR, "The stored connection is invalid; link it again."));
        }
    }
}
