package dev.hexgate.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Map;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;

/**
 * Starts {@link Tinyproxy} and sends every connection to Hex through it ({@code HEXGATE_UPSTREAM_PROXY}). Without the
 * binary (outside CI) it starts nothing and injects no proxy: the test then skips itself.
 */
public class TinyproxyResource implements QuarkusTestResourceLifecycleManager {

    private Tinyproxy proxy;

    @Override
    public Map<String, String> start() {
        if (Tinyproxy.binary() == null && !"true".equals(System.getenv("CI"))) {
            return Map.of();
        }
        try {
            proxy = Tinyproxy.start();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return Map.of("hexgate.upstream.proxy", proxy.url());
    }

    @Override
    public void inject(TestInjector injector) {
        injector.injectIntoFields(proxy, new TestInjector.MatchesType(Tinyproxy.class));
    }

    @Override
    public void stop() {
        if (proxy != null) {
            proxy.close();
        }
    }
}
