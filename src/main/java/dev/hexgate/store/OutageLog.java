package dev.hexgate.store;

import java.util.concurrent.atomic.AtomicReference;

import org.jboss.logging.Logger;

/**
 * Logs a store failure once when it starts or changes, and once when the store recovers, instead of once per request; and
 * sets the {@code hexgate_store_up} gauge, so an alert need not parse logs.
 */
final class OutageLog {

    private static final Logger LOG = Logger.getLogger(OutageLog.class);

    private final String store;
    private final StoreMetrics metrics;
    private final AtomicReference<String> current = new AtomicReference<>();

    OutageLog(String store, StoreMetrics metrics) {
        this.store = store;
        this.metrics = metrics;
        metrics.up(true);
    }

    void failed(String reason) {
        String previous = current.getAndSet(reason);
        metrics.up(false);
        if (!reason.equals(previous)) {
            LOG.errorf("%s store unavailable: %s", store, reason);
        } else {
            LOG.debugf("%s store still unavailable: %s", store, reason);
        }
    }

    void succeeded() {
        String previous = current.getAndSet(null);
        if (previous != null) {
            metrics.up(true);
            LOG.infof("%s store available again (was: %s)", store, previous);
        }
    }
}
