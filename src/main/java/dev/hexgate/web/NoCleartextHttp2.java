package dev.hexgate.web;

import jakarta.enterprise.context.ApplicationScoped;

import io.quarkus.vertx.http.HttpServerOptionsCustomizer;
import io.vertx.core.http.HttpServerOptions;

/**
 * Turns off cleartext HTTP/2 (h2c upgrade and prior knowledge) on the plain-HTTP listener: an {@code Upgrade: h2c}
 * request with a body left the connection hanging, and h2c upgrades are a known way to smuggle requests past front
 * proxies. HTTP/2 over TLS (ALPN) is unaffected.
 */
@ApplicationScoped
public class NoCleartextHttp2 implements HttpServerOptionsCustomizer {

    @Override
    public void customizeHttpServer(HttpServerOptions options) {
        options.setHttp2ClearTextEnabled(false);
    }
}
