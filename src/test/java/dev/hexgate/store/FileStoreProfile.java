package dev.hexgate.store;

import java.nio.file.Path;
import java.util.Map;

import io.quarkus.test.junit.QuarkusTestProfile;

/** The embedded file store, in a directory of its own under target/. */
public class FileStoreProfile implements QuarkusTestProfile {

    /** One directory per test JVM, so a test can look at what the (possibly packaged) application wrote. */
    public static final Path DIR = Path.of("target", "file-store-" + ProcessHandle.current().pid());

    @Override
    public Map<String, String> getConfigOverrides() {
        return Map.of("hexgate.store", "file", "hexgate.store-file.dir", DIR.toString());
    }
}
