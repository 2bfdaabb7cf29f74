package dev.hexgate.connection;

import io.quarkus.test.junit.QuarkusIntegrationTest;

/** The same behaviour, checked against the packaged application. */
@QuarkusIntegrationTest
class ValidationIT extends ValidationTest {
}
