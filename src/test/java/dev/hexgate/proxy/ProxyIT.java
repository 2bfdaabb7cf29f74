package dev.hexgate.proxy;

import io.quarkus.test.junit.QuarkusIntegrationTest;

/** The same behaviour, checked against the packaged application. */
@QuarkusIntegrationTest
class ProxyIT extends ProxyTest {
}
