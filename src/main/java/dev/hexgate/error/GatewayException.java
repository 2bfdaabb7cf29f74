package dev.hexgate.error;

import java.util.List;
import java.util.Map;

/**
 * A refusal or failure the gateway reports to its caller; its message is shown to the caller, so it must never carry a
 * token, a key or another system's raw error text.
 */
public class GatewayException extends RuntimeException {

    private final ErrorCode code;
    private final List<ErrorDetail> errors;
    private final Map<String, String> headers;

    public GatewayException(ErrorCode code, String message) {
        this(code, message, List.of(), Map.of());
    }

    public GatewayException(ErrorCode code, String message, List<ErrorDetail> errors) {
        this(code, message, errors, Map.of());
    }

    public GatewayException(ErrorCode code, String message, List<ErrorDetail> errors, Map<String, String> headers) {
        super(message, null, false, false);
        this.code = code;
        this.errors = List.copyOf(errors);
        this.headers = Map.copyOf(headers);
    }

    public ErrorCode code() {
        return code;
    }

    public List<ErrorDetail> errors() {
        return errors;
    }

    /** Extra response headers, such as {@code Retry-After}. */
    public Map<String, String> headers() {
        return headers;
    }

    public ErrorBody body() {
        return ErrorBody.of(code, getMessage(), errors);
    }
}
