package dev.hexgate.store;

import java.util.concurrent.atomic.AtomicReference;

import org.jboss.logging.Logger;

/** Logs a store failure once when it starts or changes, and once when the store recovers, instead of once per request. */
final class OutageLog {

    private static final Logger LOG = Logger.getLogger(OutageLog.class);

    private final String store;
    private final AtomicReference<String> current = new AtomicReference<>();

    OutageLog(String store) {
        this.store = store;
    }

    void failed(String reason) {
        String previous = current.getAndSet(reason);
        if (!reason.equals(previous)) {
            LOG.errorf("%s store unavailable: %s", store, reason);
        } else {
            LOG.debugf("%s store still unavailable: %s", store, reason);
        }
    }

    void succeeded() {
        String previous = current.getAndSet(null);
        if (previous != null) {
            LOG.infof("%s store available again (was: %s)", store, previous);
        }
    }
}
