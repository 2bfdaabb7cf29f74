package dev.hexgate.hex;

import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

import jakarta.enterprise.context.ApplicationScoped;

import dev.hexgate.config.HexgateConfig;
import dev.hexgate.domain.Validation;

/** Builds the upstream origin from a stored, validated subdomain: the only place where a host name is made. */
@ApplicationScoped
public class HexHost {

    private final boolean ssl;
    private final String domain;
    private final int port;
    private final String basePath;
    private final Optional<HexOrigin.ConnectAddress> connectTo;
    /** Origins already built, by subdomain: the proxy asks on every request, and there are few subdomains. */
    private final ConcurrentHashMap<String, HexOrigin> origins = new ConcurrentHashMap<>();
    private static final int MAX_CACHED_ORIGINS = 1024;

    public HexHost(HexgateConfig config) {
        HexgateConfig.Upstream upstream = config.upstream();
        // https or http, checked at start-up (HexgateConfig)
        this.ssl = upstream.scheme().equalsIgnoreCase("https");
        this.domain = upstream.domain().toLowerCase(Locale.ROOT);
        this.port = upstream.port().orElse(ssl ? 443 : 80);
        this.basePath = normaliseBasePath(upstream.basePath());
        this.connectTo = upstream.connectTo().filter(s -> !s.isBlank()).map(HexHost::parseConnectTo);
    }

    public HexOrigin origin(String subdomain) {
        HexOrigin known = subdomain == null ? null : origins.get(subdomain);
        if (known != null) {
            return known;
        }
        // Defence in depth: stored subdomains were validated on the way in; nothing else may become a host name.
        if (!Validation.isSubdomain(subdomain)) {
            throw new IllegalArgumentException("not a valid subdomain");
        }
        HexOrigin origin = new HexOrigin(ssl, subdomain + "." + domain, port, basePath, connectTo);
        if (origins.size() < MAX_CACHED_ORIGINS) {
            origins.putIfAbsent(subdomain, origin);
        }
        return origin;
    }

    private static String normaliseBasePath(String path) {
        String p = path.trim();
        if (p.isEmpty() || p.equals("/")) {
            return "";
        }
        if (!p.startsWith("/")) {
            p = "/" + p;
        }
        return p.endsWith("/") ? p.substring(0, p.length() - 1) : p;
    }

    private static HexOrigin.ConnectAddress parseConnectTo(String value) {
        int colon = value.lastIndexOf(':');
        if (colon <= 0 || colon == value.length() - 1) {
            throw new IllegalStateException("HEXGATE_UPSTREAM_CONNECT_TO must be host:port");
        }
        String host = value.substring(0, colon);
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        }
        try {
            return new HexOrigin.ConnectAddress(host, Integer.parseInt(value.substring(colon + 1)));
        } catch (NumberFormatException e) {
            throw new IllegalStateException("HEXGATE_UPSTREAM_CONNECT_TO must be host:port");
        }
    }
}
