package dev.hexgate.proxy;

/** What a proxy request asks for once its control headers and path are checked: which connection, and the raw path and query. */
public record ProxyTarget(String connectionId, String pathAndQuery) {
}
