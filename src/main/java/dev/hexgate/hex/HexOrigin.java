package dev.hexgate.hex;

import java.util.Optional;

/**
 * One upstream origin: the host name Hex sees ({@code <subdomain>.<domain>}), and the address the TCP connection really
 * goes to, which differs only when {@code HEXGATE_UPSTREAM_CONNECT_TO} is set.
 */
public record HexOrigin(boolean ssl, String host, int port, String basePath, Optional<ConnectAddress> connectTo) {

    /** A {@code host:port} to open connections to instead of resolving {@link #host()}. */
    public record ConnectAddress(String host, int port) {
    }

    /** The {@code Host} header value: the port is left out when it is the scheme's default. */
    public String authority() {
        return port == (ssl ? 443 : 80) ? host : host + ":" + port;
    }

    public String scheme() {
        return ssl ? "https" : "http";
    }
}
