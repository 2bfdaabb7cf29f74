package dev.hexgate.store;

import io.quarkus.test.junit.QuarkusIntegrationTest;

/** The same behaviour, checked against the packaged application (AES-GCM and POSIX permissions as a native image runs them). */
@QuarkusIntegrationTest
class FileStoreAppIT extends FileStoreAppTest {
}
