package dev.hexgate.domain;

import io.quarkus.runtime.annotations.RegisterForReflection;

/**
 * Something wrong with a connection that its owner must act on, shown in its {@code errors}: today only
 * {@code {"type":"auth","code":"token_invalid","at":"<ISO>"}}, a Hex token that Hex no longer accepts.
 */
@RegisterForReflection
public record ConnectionError(String type, String code, String at) {

    public static final String TOKEN_INVALID = "token_invalid";

    public static ConnectionError tokenInvalid(String at) {
        return new ConnectionError("auth", TOKEN_INVALID, at);
    }

    public boolean isTokenInvalid() {
        return TOKEN_INVALID.equals(code);
    }
}
