package dev.hexgate.web;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.util.Map;

import dev.hexgate.testing.TestCerts;
import io.quarkus.test.junit.QuarkusTestProfile;

/** HTTPS on the main listener from PEM files given as HEXGATE_TLS_CERT / HEXGATE_TLS_KEY, reloaded every second. */
public class TlsListenerProfile implements QuarkusTestProfile {

    static final Path DIR = Path.of("target", "test-certs", "listener");
    static final TestCerts.Pem PEM = TestCerts.selfSigned(DIR, "listener", "localhost");
    static final int HTTP_PORT = freePort();
    static final int HTTPS_PORT = freePort();

    @Override
    public Map<String, String> getConfigOverrides() {
        return Map.of(
                "hexgate.tls.cert", PEM.cert().toAbsolutePath().toString(),
                "hexgate.tls.key", PEM.key().toAbsolutePath().toString(),
                "hexgate.tls.reload-every", "1s",
                "quarkus.http.test-port", String.valueOf(HTTP_PORT),
                "quarkus.http.test-ssl-port", String.valueOf(HTTPS_PORT),
                "hexgate.store", "file",
                "hexgate.store-file.dir", Path.of("target", "tls-listener-store").toString());
    }

    private static int freePort() {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
