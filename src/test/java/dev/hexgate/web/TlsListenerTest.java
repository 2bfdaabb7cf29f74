package dev.hexgate.web;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.time.Duration;

import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

import org.junit.jupiter.api.Test;

import dev.hexgate.testing.Await;
import dev.hexgate.testing.Keys;
import dev.hexgate.testing.TestCerts;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;

/**
 * HTTPS on the main listener from PEM files through Quarkus's TLS registry: the given certificate is served, plain HTTP is
 * not, and a renewed certificate written over the files is served without a restart.
 */
@QuarkusTest
@TestProfile(TlsListenerProfile.class)
class TlsListenerTest {

    @Test
    void servesTheApiOverHttpsWithTheGivenCertificateAndNoPlainHttp() throws Exception {
        HttpResponse<String> response = client(trusting(TlsListenerProfile.PEM.certificate())).send(
                request(URI.create("https://localhost:" + TlsListenerProfile.HTTPS_PORT + "/connections")),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(200, response.statusCode(), response.body());
        assertEquals(TlsListenerProfile.PEM.certificate(), response.sslSession().orElseThrow().getPeerCertificates()[0]);
        assertThrows(ConnectException.class, () -> HttpClient.newHttpClient().send(
                request(URI.create("http://localhost:" + TlsListenerProfile.HTTP_PORT + "/connections")),
                HttpResponse.BodyHandlers.discarding()), "nothing listens for plain HTTP");
        assertThrows(IOException.class, () -> HttpClient.newHttpClient().send(
                request(URI.create("http://localhost:" + TlsListenerProfile.HTTPS_PORT + "/connections")),
                HttpResponse.BodyHandlers.discarding()), "the HTTPS port does not answer plain HTTP");
    }

    @Test
    void servesARenewedCertificateWithoutARestart() throws Exception {
        Certificate old = TlsListenerProfile.PEM.certificate();
        TestCerts.Pem renewed = TestCerts.selfSigned(TlsListenerProfile.DIR.resolve("renewed"), "listener", "localhost");
        // As a certificate manager does: the new files replace the old ones in place.
        replace(renewed.key(), TlsListenerProfile.PEM.key());
        replace(renewed.cert(), TlsListenerProfile.PEM.cert());
        Certificate expected = renewed.certificate();
        SSLContext both = trusting(old, expected);
        assertTrue(Await.until(() -> expected.equals(served(both)), Duration.ofSeconds(20)),
                "the renewed certificate is served within a few reload periods");
    }

    private static Certificate served(SSLContext context) {
        try {
            return client(context)
                    .send(request(URI.create("https://localhost:" + TlsListenerProfile.HTTPS_PORT + "/connections")),
                            HttpResponse.BodyHandlers.discarding())
                    .sslSession().orElseThrow().getPeerCertificates()[0];
        } catch (Exception e) {
            return null;
        }
    }

    private static void replace(Path from, Path to) throws IOException {
        Path staged = to.resolveSibling(to.getFileName() + ".new");
        Files.copy(from, staged, StandardCopyOption.REPLACE_EXISTING);
        Files.move(staged, to, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    private static HttpRequest request(URI uri) {
        return HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(5)).header("Authorization", Keys.bearer(Keys.FULL))
                .build();
    }

    /** A new client each time, so each request makes its own handshake. */
    private static HttpClient client(SSLContext context) {
        return HttpClient.newBuilder().sslContext(context).connectTimeout(Duration.ofSeconds(3)).build();
    }

    private static SSLContext trusting(Certificate... certificates) throws Exception {
        KeyStore store = KeyStore.getInstance("PKCS12");
        store.load(null, null);
        for (int i = 0; i < certificates.length; i++) {
            store.setCertificateEntry("c" + i, certificates[i]);
        }
        TrustManagerFactory trust = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        trust.init(store);
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(null, trust.getTrustManagers(), null);
        return context;
    }
}
