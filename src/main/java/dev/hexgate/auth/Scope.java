package dev.hexgate.auth;

/** What a secret key may call: everything ({@code HEXGATE_API_KEYS}) or only the proxy ({@code HEXGATE_PROXY_API_KEYS}). */
public enum Scope {
    FULL,
    PROXY
}
