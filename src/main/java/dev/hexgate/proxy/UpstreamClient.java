package dev.hexgate.proxy;

import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;

import dev.hexgate.config.HexgateConfig;
import dev.hexgate.hex.HexOrigin;
import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.net.SocketAddress;

/**
 * The one pooled Vert.x client for the proxy hop; it opens a request to an origin built by {@code HexHost}, never to another.
 * Idle pooled connections are closed after {@code HEXGATE_PROXY_KEEP_ALIVE}.
 */
@ApplicationScoped
public class UpstreamClient {

    private static final int POOL_SIZE = 256;

    private final HttpClient client;
    private final long connectTimeoutMs;

    public UpstreamClient(Vertx vertx, HexgateConfig config) {
        this.connectTimeoutMs = config.proxy().connectTimeout().toMillis();
        HttpClientOptions options = new HttpClientOptions()
                .setKeepAlive(true)
                .setKeepAliveTimeout((int) Math.max(1, config.proxy().keepAlive().toSeconds()))
                .setPipelining(false)
                // Bodies pass through as Hex encoded them: no decompression, no added Accept-Encoding.
                .setDecompressionSupported(false)
                .setTryUseCompression(false)
                .setVerifyHost(true)
                .setForceSni(true)
                .setConnectTimeout((int) connectTimeoutMs);
        this.client = vertx.createHttpClient(options, new PoolOptions().setHttp1MaxSize(POOL_SIZE));
    }

    public Future<HttpClientRequest> open(HexOrigin origin, HttpMethod method, String pathAndQuery, MultiMap headers) {
        RequestOptions options = new RequestOptions()
                .setMethod(method)
                .setSsl(origin.ssl())
                .setHost(origin.host())
                .setPort(origin.port())
                .setURI(uri(origin.basePath() + pathAndQuery))
                .setHeaders(headers)
                .setFollowRedirects(false)
                // No idle timeout here: it would run from the first byte of the upload. ReverseProxy arms the
                // response timeout once the request body has been sent.
                .setConnectTimeout(connectTimeoutMs);
        origin.connectTo().ifPresent(a -> options.setServer(SocketAddress.inetSocketAddress(a.port(), a.host())));
        return client.request(options);
    }

    private static String uri(String pathAndQuery) {
        return pathAndQuery.startsWith("/") ? pathAndQuery : "/" + pathAndQuery;
    }

    @PreDestroy
    void close() {
        client.close();
    }
}
