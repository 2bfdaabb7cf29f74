package dev.hexgate.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Random;
import java.util.concurrent.atomic.AtomicInteger;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

/**
 * The one Kubernetes API call Vault's Kubernetes auth makes: {@code POST /apis/authentication.k8s.io/v1/tokenreviews}.
 * It knows one service-account token, for {@code system:serviceaccount:<namespace>:<name>}, and reviews every other
 * token as not authenticated. Also makes that token: a JWT with the claims a real one carries (Vault reads them before it
 * asks for the review; the signature is the API server's business, which this fake is).
 */
public final class FakeTokenReview implements AutoCloseable {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final String namespace;
    private final String serviceAccount;
    private final String token;
    private final AtomicInteger reviews = new AtomicInteger();
    private final HttpServer server;

    public FakeTokenReview(String namespace, String serviceAccount) {
        this.namespace = namespace;
        this.serviceAccount = serviceAccount;
        this.token = jwt(namespace, serviceAccount);
        try {
            server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 16);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        server.createContext("/apis/authentication.k8s.io/v1/tokenreviews", this::review);
        server.start();
    }

    public String url() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    /** The service-account token the pod would have at /var/run/secrets/kubernetes.io/serviceaccount/token. */
    public String token() {
        return token;
    }

    public int reviews() {
        return reviews.get();
    }

    private void review(HttpExchange exchange) throws IOException {
        try (exchange) {
            JsonNode body = JSON.readTree(exchange.getRequestBody());
            reviews.incrementAndGet();
            boolean known = token.equals(body.path("spec").path("token").asText());
            String status = known
                    ? "{\"authenticated\":true,\"user\":{\"username\":\"system:serviceaccount:" + namespace + ":"
                            + serviceAccount + "\",\"uid\":\"uid-" + serviceAccount
                            + "\",\"groups\":[\"system:serviceaccounts\"]}}"
                    : "{\"authenticated\":false,\"error\":\"invalid bearer token\"}";
            byte[] answer = ("{\"kind\":\"TokenReview\",\"apiVersion\":\"authentication.k8s.io/v1\",\"status\":" + status + "}")
                    .getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().set("Content-Type", "application/json");
            exchange.sendResponseHeaders(201, answer.length);
            exchange.getResponseBody().write(answer);
        }
    }

    private static String jwt(String namespace, String serviceAccount) {
        Base64.Encoder b64 = Base64.getUrlEncoder().withoutPadding();
        String header = "{\"alg\":\"RS256\",\"kid\":\"test\"}";
        String claims = "{\"iss\":\"kubernetes/serviceaccount\",\"kubernetes.io/serviceaccount/namespace\":\"" + namespace
                + "\",\"kubernetes.io/serviceaccount/service-account.name\":\"" + serviceAccount
                + "\",\"kubernetes.io/serviceaccount/service-account.uid\":\"uid-" + serviceAccount
                + "\",\"sub\":\"system:serviceaccount:" + namespace + ":" + serviceAccount + "\"}";
        byte[] signature = new byte[256];
        new Random(7).nextBytes(signature);
        return b64.encodeToString(header.getBytes(StandardCharsets.UTF_8)) + "."
                + b64.encodeToString(claims.getBytes(StandardCharsets.UTF_8)) + "." + b64.encodeToString(signature);
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
