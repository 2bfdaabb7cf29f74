package dev.hexgate.testing;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyFactory;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.TimeUnit;

import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;

/**
 * Self-signed certificates made by the {@code openssl} command for a test: PEM files (what operators hand hexgate) and the
 * JDK context that serves them.
 */
public final class TestCerts {

    /** A certificate and its key, as PEM files. */
    public record Pem(Path cert, Path key) {

        /** A server context presenting this certificate. */
        public SSLContext serverContext() {
            try {
                KeyStore store = KeyStore.getInstance("PKCS12");
                store.load(null, null);
                store.setKeyEntry("server", privateKey(), new char[0], new Certificate[] { certificate() });
                KeyManagerFactory keys = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
                keys.init(store, new char[0]);
                SSLContext context = SSLContext.getInstance("TLS");
                context.init(keys.getKeyManagers(), null, null);
                return context;
            } catch (Exception e) {
                throw new IllegalStateException("cannot build a server TLS context", e);
            }
        }

        public Certificate certificate() throws Exception {
            try (InputStream in = Files.newInputStream(cert)) {
                return CertificateFactory.getInstance("X.509").generateCertificate(in);
            }
        }

        private PrivateKey privateKey() throws Exception {
            String pem = Files.readString(key, StandardCharsets.US_ASCII);
            String base64 = pem.replaceAll("-----[A-Z ]+-----", "").replaceAll("\\s", "");
            return KeyFactory.getInstance("EC").generatePrivate(new PKCS8EncodedKeySpec(Base64.getDecoder().decode(base64)));
        }
    }

    private TestCerts() {
    }

    /** A new P-256 key and a self-signed certificate for these DNS names, valid for two days, in {@code dir}. */
    public static Pem selfSigned(Path dir, String name, String... dnsNames) {
        try {
            Files.createDirectories(dir);
            Path cert = dir.resolve(name + ".crt");
            Path key = dir.resolve(name + ".key");
            List<String> san = new ArrayList<>();
            for (String dns : dnsNames) {
                san.add("DNS:" + dns);
            }
            run("openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
                    "-keyout", key.toString(), "-out", cert.toString(), "-days", "2", "-subj", "/CN=" + dnsNames[0],
                    "-addext", "subjectAltName=" + String.join(",", san));
            return new Pem(cert, key);
        } catch (IOException e) {
            throw new IllegalStateException("cannot write test certificates", e);
        }
    }

    private static void run(String... command) throws IOException {
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        try {
            String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!process.waitFor(30, TimeUnit.SECONDS) || process.exitValue() != 0) {
                throw new IllegalStateException("openssl failed: " + output);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while running openssl", e);
        }
    }
}
