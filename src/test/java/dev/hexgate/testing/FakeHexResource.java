package dev.hexgate.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Map;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;

/**
 * Starts the fake Hex on a random port and sends every upstream connection there, keeping {@code Host} =
 * {@code <sub>.hex.tech}.
 */
public class FakeHexResource implements QuarkusTestResourceLifecycleManager {

    /** The running fake, for {@link #inject} and {@link #stop}; set by {@link #start}. */
    protected FakeHex hex;

    @Override
    public Map<String, String> start() {
        NoSecretsInLogs.markStart();
        hex = new FakeHex();
        try {
            hex.start();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return Map.of(
                "hexgate.upstream.scheme", "http",
                "hexgate.upstream.connect-to", hex.address());
    }

    @Override
    public void inject(TestInjector injector) {
        injector.injectIntoFields(hex, new TestInjector.MatchesType(FakeHex.class));
    }

    @Override
    public void stop() {
        if (hex != null) {
            hex.stop();
        }
    }
}
