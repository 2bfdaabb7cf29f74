package dev.hexgate.connectui;

import io.quarkus.test.junit.QuarkusIntegrationTest;

/**
 * The same behaviour, checked against the packaged application (Qute rendering and the CSRF checks as a native image runs
 * them).
 */
@QuarkusIntegrationTest
class ConnectSessionsIT extends ConnectSessionsTest {
}
