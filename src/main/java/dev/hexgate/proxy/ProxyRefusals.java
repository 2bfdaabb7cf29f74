package dev.hexgate.proxy;

import jakarta.inject.Singleton;

import org.jboss.logging.Logger;

import dev.hexgate.error.ErrorCode;
import dev.hexgate.error.ErrorResponses;
import dev.hexgate.error.GatewayException;

/** The one place where a refused or failed proxy request becomes its JSON error and its metric. */
@Singleton
class ProxyRefusals {

    private static final Logger LOG = Logger.getLogger(ProxyRefusals.class);

    private final ErrorResponses errors;
    private final ProxyMetrics metrics;

    ProxyRefusals(ErrorResponses errors, ProxyMetrics metrics) {
        this.errors = errors;
        this.metrics = metrics;
    }

    void refuse(ProxyContext ctx, Throwable failure) {
        GatewayException error;
        if (failure instanceof GatewayException gateway) {
            error = gateway;
        } else {
            // A bug, not a refusal: logged by class only (library messages can quote inputs).
            LOG.errorf("A proxied request failed unexpectedly: %s", failure.getClass().getName());
            error = new GatewayException(ErrorCode.SERVER_ERROR, "The gateway failed to handle the request.");
        }
        if (ctx.request().response().ended() || ctx.request().response().closed()) {
            return;
        }
        metrics.proxied(ctx.request().method(), error.code().status(), error.code().code(),
                System.nanoTime() - ctx.startedNanos());
        errors.write(ctx.request(), error);
    }
}
