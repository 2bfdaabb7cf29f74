package dev.hexgate.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;

/**
 * A customer's web app on two origins other than the gateway's: {@code /app.html} (src/test/resources/frontend) loads the
 * real {@code @nangohq/frontend} from src/test/node/node_modules at {@code /sdk/}. The first origin is the gateway's
 * {@code HEXGATE_CONNECT_FRAME_ANCESTORS}; the second is not, and must not be able to frame the Connect page or call it.
 */
public class FrontendPages implements QuarkusTestResourceLifecycleManager {

    private static final Path SDK = Path.of("src/test/node/node_modules/@nangohq/frontend/dist");
    private static final Path PAGE = Path.of("src/test/resources/frontend/app.html");

    /** The allowed and the other origin, as browsers name them. */
    public static String allowed;
    public static String other;

    private HttpServer allowedServer;
    private HttpServer otherServer;

    @Override
    public Map<String, String> start() {
        allowedServer = serve();
        otherServer = serve();
        allowed = "http://127.0.0.1:" + allowedServer.getAddress().getPort();
        other = "http://127.0.0.1:" + otherServer.getAddress().getPort();
        return Map.of("hexgate.connect-frame-ancestors", allowed);
    }

    private static HttpServer serve() {
        try {
            HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
            server.createContext("/", FrontendPages::answer);
            server.start();
            return server;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void answer(HttpExchange exchange) throws IOException {
        String path = exchange.getRequestURI().getPath();
        Path file = path.equals("/app.html") ? PAGE
                : path.startsWith("/sdk/") && path.matches("/sdk/[A-Za-z0-9.]+\\.js") ? SDK.resolve(path.substring(5)) : null;
        if (file == null || !Files.isRegularFile(file)) {
            exchange.sendResponseHeaders(404, -1);
            exchange.close();
            return;
        }
        byte[] body = Files.readAllBytes(file);
        exchange.getResponseHeaders().set("Content-Type",
                file.toString().endsWith(".js") ? "text/javascript; charset=utf-8" : "text/html; charset=utf-8");
        exchange.sendResponseHeaders(200, body.length);
        exchange.getResponseBody().write(body);
        exchange.close();
    }

    @Override
    public void stop() {
        allowedServer.stop(0);
        otherServer.stop(0);
    }
}
