package dev.hexgate.store;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Instance;
import jakarta.enterprise.inject.Produces;

import dev.hexgate.config.HexgateConfig;

/** Picks the store named by {@code HEXGATE_STORE}; the other one is never created, so Vault is not needed for the file store. */
@ApplicationScoped
public class StoreProducer {

    @Produces
    @ApplicationScoped
    ConnectionStore store(HexgateConfig config, Instance<VaultConnectionStore> vault, Instance<FileConnectionStore> file) {
        return switch (config.storeKind()) {
            case VAULT -> vault.get();
            case FILE -> file.get();
        };
    }
}
