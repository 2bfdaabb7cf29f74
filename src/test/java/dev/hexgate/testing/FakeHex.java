package dev.hexgate.testing;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.HexFormat;
import java.util.LinkedList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Queue;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import javax.net.ssl.ExtendedSSLSession;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLContext;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsExchange;
import com.sun.net.httpserver.HttpsServer;

/**
 * A Hex API written from Hex's API reference (https://learn.hex.tech/docs/api-integrations/api/reference): deployments told
 * apart by the {@code Host} header, tokens bound to one
 * subdomain, {@code /api/v1/users/me} for both token types, plain-text or JSON 401s, RunProject (201) and CancelRun (204),
 * plus test endpoints that stream large bodies and answer chosen statuses. Records every request it receives.
 */
public final class FakeHex {

    public static final String DOMAIN = "hex.tech";
    /** A {@code meStatus} that makes {@code /users/me} answer 200 after four seconds. */
    public static final int SLOW = 0;
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final Pattern RUNS = Pattern.compile("/api/v1/projects/([^/]+)/runs");
    private static final Pattern RUN = Pattern.compile("/api/v1/projects/([^/]+)/runs/([^/]+)");
    private static final Pattern STATUS = Pattern.compile("/api/v1/test/status/(\\d{3})");

    /** What the fake knows about a token. */
    public record TokenInfo(String subdomain, boolean workspace, String email, String orgId, Long exp, int meStatus) {
    }

    /** One request as Hex received it; the body is kept as its length and SHA-256. */
    public record Received(String method, String host, String rawPath, String rawQuery, Map<String, List<String>> headers,
            long bodyLength, String bodySha256) {
        public String header(String name) {
            List<String> values = headers.get(name.toLowerCase(Locale.ROOT));
            return values == null ? null : String.join(",", values);
        }
    }

    /** A scripted answer for the next request to a path. */
    public sealed interface Fault {
    }

    /** Answer this status (with these headers) instead of the real one. */
    public record Status(int code, Map<String, String> headers) implements Fault {
        public Status(int code) {
            this(code, Map.of());
        }
    }

    /** Close the connection without answering. */
    public record Reset() implements Fault {
    }

    private final Map<String, Queue<Fault>> faults = new ConcurrentHashMap<>();
    private final AtomicLong downloadSent = new AtomicLong();
    private final AtomicInteger abortedDownloads = new AtomicInteger();
    private final AtomicInteger abortedUploads = new AtomicInteger();
    private final Map<String, TokenInfo> tokens = new ConcurrentHashMap<>();
    private final List<Received> received = new CopyOnWriteArrayList<>();
    private final List<String> serverNames = new CopyOnWriteArrayList<>();
    private volatile boolean jsonUnauthorized;
    private volatile Runnable uploadMidpoint = () -> {
    };
    private final AtomicLong uploadReceived = new AtomicLong();
    private volatile CountDownLatch downloadGate = new CountDownLatch(0);
    private volatile boolean downloadGateOpenedInTime;
    private HttpServer server;

    public void start() throws IOException {
        start(0);
    }

    public void start(int port) throws IOException {
        serve(HttpServer.create(new InetSocketAddress("127.0.0.1", port), 256));
    }

    /** Serves HTTPS with this context, as the real Hex does; records the server name each client asked for (SNI). */
    public void startTls(SSLContext context) throws IOException {
        HttpsServer https = HttpsServer.create(new InetSocketAddress("127.0.0.1", 0), 256);
        https.setHttpsConfigurator(new HttpsConfigurator(context));
        serve(https);
    }

    /** The TLS server names (SNI) clients sent, in order. */
    public List<String> serverNames() {
        return List.copyOf(serverNames);
    }

    private void serve(HttpServer created) {
        server = created;
        server.setExecutor(Executors.newCachedThreadPool());
        server.createContext("/", this::handle);
        server.start();
    }

    public void stop() {
        server.stop(0);
    }

    public String address() {
        return "127.0.0.1:" + server.getAddress().getPort();
    }

    /** A new personal token for a subdomain, expiring in 30 days. */
    public String personalToken(String subdomain) {
        return register("hxtp_", new TokenInfo(subdomain, false, "analyst@example.com", "org-" + subdomain,
                Instant.now().plusSeconds(30L * 86400).getEpochSecond(), 200));
    }

    /** A new personal token that expires after {@code seconds}. */
    public String personalTokenExpiringIn(String subdomain, long seconds) {
        return register("hxtp_", new TokenInfo(subdomain, false, "soon@example.com", "org-" + subdomain,
                Instant.now().plusSeconds(seconds).getEpochSecond(), 200));
    }

    /** A new workspace token that never expires. */
    public String workspaceToken(String subdomain) {
        return register("hxtw_", new TokenInfo(subdomain, true, null, "org-" + subdomain, null, 200));
    }

    /** A token whose {@code /users/me} answers a fixed status (403 scope miss, 429, 500…). */
    public String tokenAnsweringMe(String subdomain, int status) {
        return register("hxtw_", new TokenInfo(subdomain, true, null, "org-" + subdomain, null, status));
    }

    /** Makes a chosen token valid, for the standalone demo ({@link FakeHexMain}). */
    public void accept(String token, TokenInfo info) {
        tokens.put(token, info);
    }

    /** A well-formed token Hex does not know. */
    public static String unknownToken() {
        return "hxtp_" + HexFormat.of().formatHex(randomBytes(24));
    }

    public void revoke(String token) {
        tokens.remove(token);
    }

    public void jsonUnauthorized(boolean value) {
        jsonUnauthorized = value;
    }

    /** Runs once an upload to {@code /api/v1/test/upload} is half received (used to sample the gateway's heap). */
    public void onUploadMidpoint(Runnable probe) {
        uploadMidpoint = probe;
    }

    /** Upload bytes received so far by {@code /api/v1/test/upload}, counted as they arrive. */
    public long uploadReceived() {
        return uploadReceived.get();
    }

    /**
     * The next download with {@code hold=N} stops after N bytes until {@link #openDownloadGate()} is called (at most 15 s),
     * so a test can prove the caller saw bytes while Hex was still sending.
     */
    public void closeDownloadGate() {
        downloadGate = new CountDownLatch(1);
        downloadGateOpenedInTime = false;
    }

    public void openDownloadGate() {
        downloadGate.countDown();
    }

    public boolean downloadGateOpenedInTime() {
        return downloadGateOpenedInTime;
    }

    /** The next requests to {@code path} (e.g. {@code /api/v1/projects}) get these answers, in order. */
    public void failNext(String path, Fault... next) {
        faults.computeIfAbsent(path, k -> new ConcurrentLinkedQueue<>()).addAll(List.of(next));
    }

    /** How many requests reached {@code path}. */
    public long attempts(String path) {
        return received.stream().filter(r -> r.rawPath().equals(path)).count();
    }

    /** Bytes written so far by the current or last {@code /api/v1/test/download}. */
    public long downloadSent() {
        return downloadSent.get();
    }

    /** Downloads whose connection broke while this fake was still sending. */
    public int abortedDownloads() {
        return abortedDownloads.get();
    }

    /** Uploads whose connection broke while this fake was still reading. */
    public int abortedUploads() {
        return abortedUploads.get();
    }

    public void clearFaults() {
        faults.clear();
    }

    public List<Received> received() {
        return List.copyOf(received);
    }

    public Received last() {
        if (received.isEmpty()) {
            throw new AssertionError("Hex received no request");
        }
        return received.get(received.size() - 1);
    }

    public void clearReceived() {
        received.clear();
    }

    private String register(String prefix, TokenInfo info) {
        String token = prefix + HexFormat.of().formatHex(randomBytes(24));
        tokens.put(token, info);
        return token;
    }

    private static byte[] randomBytes(int n) {
        byte[] b = new byte[n];
        RANDOM.nextBytes(b);
        return b;
    }

    private void handle(HttpExchange ex) throws IOException {
        try (ex) {
            if (ex instanceof HttpsExchange tls && tls.getSSLSession() instanceof ExtendedSSLSession session) {
                session.getRequestedServerNames().stream().filter(SNIHostName.class::isInstance)
                        .map(n -> ((SNIHostName) n).getAsciiName()).forEach(serverNames::add);
            }
            String path = ex.getRequestURI().getRawPath();
            Map<String, List<String>> headers = new TreeMap<>();
            ex.getRequestHeaders().forEach((k, v) -> headers.put(k.toLowerCase(Locale.ROOT), List.copyOf(v)));
            String host = ex.getRequestHeaders().getFirst("Host");
            long expected = path.equals("/api/v1/test/upload") ? contentLength(ex) : -1;
            if (expected > 0) {
                uploadReceived.set(0);
            }
            Digest digest;
            try {
                digest = drain(ex.getRequestBody(), expected);
            } catch (IOException e) {
                abortedUploads.incrementAndGet();
                throw e;
            }
            received.add(new Received(ex.getRequestMethod(), host, path, ex.getRequestURI().getRawQuery(), headers,
                    digest.length, digest.sha256));
            Fault fault = faults.getOrDefault(path, new LinkedList<>()).poll();
            if (fault instanceof Reset) {
                throw new IOException("scripted reset: connection closed without an answer");
            }
            if (fault instanceof Status status) {
                status.headers().forEach((k, v) -> ex.getResponseHeaders().set(k, v));
                json(ex, status.code(), "{\"code\":\"SCRIPTED\",\"message\":\"scripted " + status.code() + "\"}");
                return;
            }
            route(ex, path, host, digest);
        }
    }

    private void route(HttpExchange ex, String path, String host, Digest body) throws IOException {
        String subdomain = subdomainOf(host);
        if (subdomain == null) {
            json(ex, 404, "{\"code\":\"NOT_FOUND\",\"message\":\"Not found\"}");
            return;
        }
        String auth = ex.getRequestHeaders().getFirst("Authorization");
        TokenInfo token = auth != null && auth.startsWith("Bearer ") ? tokens.get(auth.substring(7)) : null;
        if (token == null || !token.subdomain().equals(subdomain)) {
            unauthorized(ex);
            return;
        }
        String method = ex.getRequestMethod();
        Matcher status = STATUS.matcher(path);
        Matcher run = RUN.matcher(path);
        Matcher runs = RUNS.matcher(path);
        if (path.equals("/api/v1/users/me")) {
            me(ex, token);
        } else if (path.equals("/api/v1/test/download")) {
            download(ex, query(ex, "bytes"), query(ex, "chunked") != null, query(ex, "hold"), query(ex, "reset_at"));
        } else if (path.equals("/api/v1/test/upload")) {
            json(ex, 200, "{\"bytes\":" + body.length + ",\"sha256\":\"" + body.sha256 + "\"}");
        } else if (path.equals("/api/v1/test/echo")) {
            echo(ex, host, body);
        } else if (path.equals("/api/v1/test/delay")) {
            sleep(Long.parseLong(query(ex, "ms")));
            json(ex, 200, "{\"delayed\":true}");
        } else if (path.equals("/api/v1/test/request-id")) {
            ex.getResponseHeaders().set("X-Request-Id", "hex-own-request-id");
            ex.getResponseHeaders().set("X-Trace-Id", "hex-trace-1");
            json(ex, 200, "{\"ok\":true}");
        } else if (status.matches()) {
            int code = Integer.parseInt(status.group(1));
            if (code == 429) {
                ex.getResponseHeaders().set("Retry-After", "7");
            }
            if (code >= 300 && code < 400) {
                ex.getResponseHeaders().set("Location", "https://" + host + "/api/v1/elsewhere");
            }
            if (code == 204 || code == 304) {
                ex.sendResponseHeaders(code, -1);
            } else {
                json(ex, code, "{\"code\":\"TEST\",\"message\":\"status " + code + "\",\"traceId\":\"t-" + code + "\"}");
            }
        } else if (run.matches() && method.equals("DELETE")) {
            ex.sendResponseHeaders(204, -1);
        } else if (runs.matches() && method.equals("POST")) {
            String runId = UUID.randomUUID().toString();
            json(ex, 201, "{\"projectId\":\"" + runs.group(1) + "\",\"runId\":\"" + runId + "\",\"runUrl\":\"https://" + host
                    + "/app/runs/" + runId + "\",\"runStatusUrl\":\"https://" + host + "/api/v1/projects/" + runs.group(1)
                    + "/runs/" + runId + "\",\"traceId\":\"trace-" + runId + "\",\"projectVersion\":3}");
        } else if (path.equals("/api/v1/projects") && method.equals("GET")) {
            json(ex, 200, "{\"values\":[{\"id\":\"4f0c5d2e-0000-4000-8000-000000000001\",\"title\":\"Revenue\"}],"
                    + "\"pagination\":{\"after\":null,\"before\":null}}");
        } else {
            json(ex, 200, "{\"ok\":true,\"method\":\"" + method + "\"}");
        }
    }

    /**
     * What Hex received, for clients that cannot see this fake's records (the Node SDK suite). The Authorization value is
     * never echoed: reaching this point already means it carried the token bound to this subdomain.
     */
    private void echo(HttpExchange ex, String host, Digest body) throws IOException {
        ObjectNode out = new ObjectMapper()
                .createObjectNode();
        out.put("method", ex.getRequestMethod());
        out.put("host", host);
        out.put("path", ex.getRequestURI().getRawPath());
        out.put("query", ex.getRequestURI().getRawQuery());
        out.put("authorized_with_stored_token", true);
        ObjectNode headers = out.putObject("headers");
        ex.getRequestHeaders().forEach((k, v) -> {
            if (!k.equalsIgnoreCase("Authorization")) {
                headers.put(k.toLowerCase(Locale.ROOT), String.join(",", v));
            }
        });
        out.put("body_length", body.length);
        out.put("body", body.text);
        json(ex, 200, out.toString());
    }

    private void me(HttpExchange ex, TokenInfo token) throws IOException {
        if (token.meStatus() == SLOW) {
            sleep(4000);
        }
        if (token.meStatus() == 403) {
            json(ex, 403, "{\"code\":\"FORBIDDEN\",\"message\":\"Insufficient access\",\"issues\":[]}");
            return;
        }
        if (token.meStatus() == 429) {
            ex.getResponseHeaders().set("Retry-After", "30");
            json(ex, 429, "{\"code\":\"TOO_MANY_REQUESTS\",\"message\":\"Rate limited\"}");
            return;
        }
        if (token.meStatus() != 200 && token.meStatus() != SLOW) {
            json(ex, token.meStatus(), "{\"code\":\"INTERNAL_SERVER_ERROR\",\"message\":\"Internal server error\"}");
            return;
        }
        String exp = token.exp() == null ? "null" : String.valueOf(token.exp());
        String common = "\"org\":{\"id\":\"" + token.orgId() + "\"},\"token\":{\"exp\":" + exp + "}";
        if (token.workspace()) {
            json(ex, 200, "{" + common + "}");
        } else {
            json(ex, 200, "{\"id\":\"u-1\",\"name\":\"Ana Lyst\",\"email\":\"" + token.email()
                    + "\",\"role\":\"EDITOR\",\"lastLoginDate\":\"2026-11-01T10:00:00.000Z\"," + common + "}");
        }
    }

    private void unauthorized(HttpExchange ex) throws IOException {
        if (jsonUnauthorized) {
            json(ex, 401, "{\"code\":\"UNAUTHORIZED\",\"message\":\"Authorization not provided\",\"issues\":[]}");
        } else {
            byte[] body = "Unauthorized".getBytes(StandardCharsets.UTF_8);
            ex.getResponseHeaders().set("Content-Type", "text/plain");
            ex.sendResponseHeaders(401, body.length);
            ex.getResponseBody().write(body);
        }
    }

    /** Deterministic bytes (i mod 251) so the receiver can check them without the sender keeping a copy. */
    private void download(HttpExchange ex, String bytes, boolean chunked, String hold, String resetAt) throws IOException {
        long total = Long.parseLong(bytes);
        long holdAt = hold == null ? -1 : Long.parseLong(hold);
        long breakAt = resetAt == null ? -1 : Long.parseLong(resetAt);
        downloadSent.set(0);
        ex.getResponseHeaders().set("Content-Type", "application/octet-stream");
        ex.sendResponseHeaders(200, chunked ? 0 : total);
        byte[] buf = new byte[64 * 1024];
        long sent = 0;
        try (OutputStream out = ex.getResponseBody()) {
            while (sent < total) {
                if (breakAt >= 0 && sent >= breakAt) {
                    throw new IllegalStateException("scripted reset mid-body");
                }
                if (sent == holdAt) {
                    out.flush();
                    downloadGateOpenedInTime = awaitGate();
                }
                int n = (int) Math.min(buf.length, holdAt > sent ? Math.min(total, holdAt) - sent : total - sent);
                for (int i = 0; i < n; i++) {
                    buf[i] = (byte) ((sent + i) % 251);
                }
                try {
                    out.write(buf, 0, n);
                } catch (IOException e) {
                    abortedDownloads.incrementAndGet();
                    throw e;
                }
                sent += n;
                downloadSent.set(sent);
            }
        }
    }

    private boolean awaitGate() {
        try {
            return downloadGate.await(15, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    private static void json(HttpExchange ex, int status, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        ex.getResponseHeaders().set("Content-Type", "application/json");
        if (!ex.getResponseHeaders().containsKey("X-Trace-Id")) {
            ex.getResponseHeaders().set("X-Trace-Id", "hex-trace-" + status);
        }
        ex.sendResponseHeaders(status, bytes.length);
        ex.getResponseBody().write(bytes);
    }

    /** A received body: its length, SHA-256, and its text when short. */
    private record Digest(long length, String sha256, String text) {
    }

    private Digest drain(InputStream in, long expected) throws IOException {
        MessageDigest md;
        try {
            md = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
        byte[] buf = new byte[64 * 1024];
        long total = 0;
        boolean probed = false;
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        for (int n; (n = in.read(buf)) > 0;) {
            md.update(buf, 0, n);
            if (head.size() < 16 * 1024) {
                head.write(buf, 0, Math.min(n, 16 * 1024 - head.size()));
            }
            total += n;
            if (expected > 0) {
                uploadReceived.set(total);
            }
            if (!probed && expected > 0 && total >= expected / 2) {
                probed = true;
                uploadMidpoint.run();
            }
        }
        return new Digest(total, HexFormat.of().formatHex(md.digest()), head.toString(StandardCharsets.UTF_8));
    }

    private static long contentLength(HttpExchange ex) {
        String declared = ex.getRequestHeaders().getFirst("X-Expected-Length");
        return declared == null ? -1 : Long.parseLong(declared);
    }

    private static String subdomainOf(String host) {
        if (host == null) {
            return null;
        }
        String h = host.toLowerCase(Locale.ROOT);
        int colon = h.indexOf(':');
        if (colon >= 0) {
            h = h.substring(0, colon);
        }
        if (!h.endsWith("." + DOMAIN)) {
            return null;
        }
        String sub = h.substring(0, h.length() - DOMAIN.length() - 1);
        return sub.contains(".") || sub.isEmpty() ? null : sub;
    }

    private static String query(HttpExchange ex, String name) {
        String q = ex.getRequestURI().getRawQuery();
        if (q == null) {
            return null;
        }
        for (String part : q.split("&")) {
            if (part.equals(name)) {
                return "";
            }
            if (part.startsWith(name + "=")) {
                return part.substring(name.length() + 1);
            }
        }
        return null;
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
