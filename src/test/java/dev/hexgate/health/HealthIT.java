package dev.hexgate.health;

import io.quarkus.test.junit.QuarkusIntegrationTest;

/** The same behaviour, checked against the packaged application. */
@QuarkusIntegrationTest
class HealthIT extends HealthTest {
}
