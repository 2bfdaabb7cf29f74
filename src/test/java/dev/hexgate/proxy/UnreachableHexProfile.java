package dev.hexgate.proxy;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.util.Map;

import io.quarkus.test.junit.QuarkusTestProfile;

/** Every upstream connection goes to a local port nothing listens on. */
public class UnreachableHexProfile implements QuarkusTestProfile {

    @Override
    public Map<String, String> getConfigOverrides() {
        int closed;
        try (ServerSocket s = new ServerSocket(0)) {
            closed = s.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return Map.of("hexgate.upstream.connect-to", "127.0.0.1:" + closed, "hexgate.upstream.scheme", "http");
    }
}
