package dev.hexgate.store;

import java.util.Map;

import io.quarkus.test.junit.QuarkusTestProfile;

/** The embedded file store, in a directory of its own under target/. */
public class FileStoreProfile implements QuarkusTestProfile {

    @Override
    public Map<String, String> getConfigOverrides() {
        return Map.of("hexgate.store", "file", "hexgate.store-file.dir", "target/file-store-" + System.nanoTime());
    }
}
