package dev.hexgate.testing;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Queue;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.function.Predicate;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

/**
 * A backend's webhook endpoint: records every request (path, headers with lower-case names, exact body bytes, when) and
 * answers 200, or whatever was queued with {@link #answerNext}: a status with headers, or a wait before answering.
 */
public final class WebhookReceiver {

    /** One request as it arrived. */
    public record Hook(String path, Map<String, String> headers, String body, long atNanos) {
        public String header(String name) {
            return headers.get(name.toLowerCase(Locale.ROOT));
        }

        public String delivery() {
            return header("X-Hexgate-Delivery");
        }
    }

    /** How to answer one request: after {@code delay}, with {@code status} and {@code headers}. */
    public record Answer(int status, Map<String, String> headers, Duration delay) {
        public static Answer status(int status) {
            return new Answer(status, Map.of(), Duration.ZERO);
        }
    }

    private final List<Hook> hooks = new CopyOnWriteArrayList<>();
    private final Queue<Answer> next = new ConcurrentLinkedQueue<>();
    private HttpServer server;

    public void start() throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.setExecutor(Executors.newCachedThreadPool());
        server.createContext("/", this::handle);
        server.start();
    }

    public void stop() {
        if (server != null) {
            server.stop(0);
        }
    }

    /** The URL of a path on this receiver. */
    public String url(String path) {
        return "http://127.0.0.1:" + server.getAddress().getPort() + path;
    }

    public void answerNext(Answer... answers) {
        next.addAll(List.of(answers));
    }

    public void clear() {
        hooks.clear();
        next.clear();
    }

    public List<Hook> hooks() {
        return List.copyOf(hooks);
    }

    public List<Hook> hooks(Predicate<Hook> filter) {
        return hooks.stream().filter(filter).toList();
    }

    /** Waits until {@code count} requests match, and answers them (or what arrived by then). */
    public List<Hook> await(Predicate<Hook> filter, int count, Duration timeout) {
        Await.until(() -> hooks(filter).size() >= count, timeout);
        return hooks(filter);
    }

    private void handle(HttpExchange exchange) throws IOException {
        byte[] body;
        try (InputStream in = exchange.getRequestBody()) {
            body = in.readAllBytes();
        }
        Map<String, String> headers = new TreeMap<>();
        exchange.getRequestHeaders().forEach((name, values) -> headers.put(name.toLowerCase(Locale.ROOT),
                String.join(",", values)));
        hooks.add(new Hook(exchange.getRequestURI().getPath(), headers, new String(body, StandardCharsets.UTF_8),
                System.nanoTime()));
        Answer answer = next.poll();
        if (answer == null) {
            answer = Answer.status(200);
        }
        if (!answer.delay().isZero()) {
            try {
                Thread.sleep(answer.delay().toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        answer.headers().forEach((k, v) -> exchange.getResponseHeaders().add(k, v));
        exchange.sendResponseHeaders(answer.status(), -1);
        exchange.close();
    }

    /** Hooks whose body has this operation (and, when given, this connection). */
    public static Predicate<Hook> operation(String operation, String connectionId) {
        return h -> h.body().contains("\"operation\":\"" + operation + "\"")
                && (connectionId == null || h.body().contains("\"connectionId\":\"" + connectionId + "\""));
    }

    public static List<String> deliveries(List<Hook> hooks) {
        List<String> ids = new ArrayList<>();
        hooks.forEach(h -> ids.add(h.delivery()));
        return ids;
    }
}
