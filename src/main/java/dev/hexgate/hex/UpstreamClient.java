package dev.hexgate.hex;

import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.Optional;

import jakarta.annotation.PreDestroy;
import jakarta.inject.Singleton;

import dev.hexgate.config.HexgateConfig;
import dev.hexgate.config.TlsConfigSource;
import io.quarkus.tls.TlsConfiguration;
import io.quarkus.tls.TlsConfigurationRegistry;
import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.net.ProxyOptions;
import io.vertx.core.net.ProxyType;
import io.vertx.core.net.SocketAddress;

/**
 * The one pooled Vert.x client for every connection to Hex, the proxy hop and the link-time token check alike: it opens a
 * request to an origin built by {@link HexHost}, never to another, checks the certificate against
 * {@code <subdomain>.<domain>} even when {@code HEXGATE_UPSTREAM_CONNECT_TO} sends the connection elsewhere, and goes
 * through the {@code HEXGATE_UPSTREAM_PROXY} egress proxy when one is set. Extra trusted certificates (a private mirror,
 * a TLS-inspecting egress) come from {@code HEXGATE_UPSTREAM_TRUST_CERTS}, through the TLS registry's {@code upstream}
 * configuration. Idle pooled connections are
 * closed after {@code HEXGATE_PROXY_KEEP_ALIVE}.
 */
@Singleton
public class UpstreamClient {

    private static final int POOL_SIZE = 256;

    private final HttpClient client;
    private final long connectTimeoutMs;

    public UpstreamClient(Vertx vertx, HexgateConfig config, TlsConfigurationRegistry tls) {
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
        tls.get(TlsConfigSource.UPSTREAM).map(TlsConfiguration::getTrustStoreOptions).ifPresent(options::setTrustOptions);
        config.upstream().proxy().map(URI::create).map(UpstreamClient::proxyOptions).ifPresent(options::setProxyOptions);
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
                // No idle timeout here: it would run from the first byte of the upload. Callers arm the response
                // timeout once the request body has been sent.
                .setConnectTimeout(connectTimeoutMs);
        origin.connectTo().ifPresent(a -> options.setServer(SocketAddress.inetSocketAddress(a.port(), a.host())));
        return client.request(options);
    }

    /**
     * An HTTP proxy: Hex over https is reached through a {@code CONNECT} tunnel (TLS stays end to end, the proxy sees only
     * the host name); plain http, used only against test servers, is forwarded in absolute form.
     */
    static ProxyOptions proxyOptions(URI proxy) {
        ProxyOptions options = new ProxyOptions().setType(ProxyType.HTTP).setHost(proxy.getHost())
                .setPort(proxy.getPort() > 0 ? proxy.getPort() : 80);
        Optional.ofNullable(proxy.getRawUserInfo()).ifPresent(info -> {
            int colon = info.indexOf(':');
            options.setUsername(decode(colon < 0 ? info : info.substring(0, colon)));
            if (colon >= 0) {
                options.setPassword(decode(info.substring(colon + 1)));
            }
        });
        return options;
    }

    private static String decode(String value) {
        // RFC 3986 user info: '+' is itself, not a space as in form encoding.
        return URLDecoder.decode(value.replace("+", "%2B"), StandardCharsets.UTF_8);
    }

    private static String uri(String pathAndQuery) {
        return pathAndQuery.startsWith("/") ? pathAndQuery : "/" + pathAndQuery;
    }

    @PreDestroy
    void close() {
        client.close();
    }
}
