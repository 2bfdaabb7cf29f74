package dev.hexgate.error;

import java.util.Locale;

/** Every error code the gateway itself produces (docs/contract.md §3), with its HTTP status. */
public enum ErrorCode {
    MISSING_AUTH_HEADER(401),
    INVALID_CONNECT_SESSION_TOKEN_FORMAT(401),
    UNKNOWN_CONNECT_SESSION_TOKEN(401),
    UNKNOWN_SECRET_KEY(401),
    FORBIDDEN(403),
    INVALID_JSON(400),
    INVALID_BODY(400),
    INVALID_HEADERS(400),
    INVALID_PATH(400),
    INVALID_QUERY_PARAMS(400),
    UNKNOWN_PROVIDER_CONFIG(404),
    UNKNOWN_CONNECTION(404),
    NOT_FOUND(404),
    METHOD_NOT_ALLOWED(405),
    UNSUPPORTED_MEDIA_TYPE(415),
    CONNECTION_TEST_FAILED(400),
    INVALID_CONNECTION(400),
    UPSTREAM_RATE_LIMITED(429),
    UPSTREAM_UNREACHABLE(502),
    UPSTREAM_TIMEOUT(504),
    STORE_UNAVAILABLE(503),
    REQUEST_TOO_LARGE(413),
    REQUEST_TIMEOUT(408),
    SERVER_ERROR(500);

    private final int status;

    ErrorCode(int status) {
        this.status = status;
    }

    public int status() {
        return status;
    }

    /** The snake_case code as it appears in the JSON body. */
    public String code() {
        return name().toLowerCase(Locale.ROOT);
    }
}
