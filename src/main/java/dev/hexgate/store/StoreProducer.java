package dev.hexgate.store;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.inject.Instance;
import jakarta.enterprise.inject.Produces;

import org.jboss.logging.Logger;

import dev.hexgate.config.HexgateConfig;
import io.quarkus.runtime.StartupEvent;

/**
 * Picks the store named by {@code HEXGATE_STORE}; the other one is never created, so Vault is not needed for the file store.
 */
@ApplicationScoped
public class StoreProducer {

    private static final Logger LOG = Logger.getLogger(StoreProducer.class);

    @Produces
    @ApplicationScoped
    Records records(HexgateConfig config, Instance<VaultRecords> vault, Instance<FileRecords> file) {
        return switch (config.storeKind()) {
            case VAULT -> vault.get();
            case FILE -> file.get();
        };
    }

    /** Creates the store at boot, so a bad key or directory fails the start rather than the first request. */
    void onStart(@Observes StartupEvent event, ConnectionStore store) {
        LOG.infof("Connections are kept in the %s store", store.kind());
    }
}
