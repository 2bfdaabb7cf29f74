package dev.hexgate.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.Map;

/**
 * The fake Hex over HTTPS with a self-signed certificate for {@code app.hex.tech} only, trusted by the gateway through
 * {@code HEXGATE_UPSTREAM_TRUST_CERTS}. Connections still go to the fake's loopback address
 * ({@code HEXGATE_UPSTREAM_CONNECT_TO}), so a gateway that checked the certificate against that address, or that did not
 * ask for {@code app.hex.tech} by SNI, would fail; any other subdomain meets a certificate that is not its own.
 */
public class TlsFakeHexResource extends FakeHexResource {

    @Override
    public Map<String, String> start() {
        NoSecretsInLogs.markStart();
        TestCerts.Pem pem = TestCerts.selfSigned(Path.of("target", "test-certs"), "fake-hex", "app." + FakeHex.DOMAIN);
        hex = new FakeHex();
        try {
            hex.startTls(pem.serverContext());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return Map.of(
                "hexgate.upstream.scheme", "https",
                "hexgate.upstream.connect-to", hex.address(),
                "hexgate.upstream.trust-certs", pem.cert().toAbsolutePath().toString());
    }
}
