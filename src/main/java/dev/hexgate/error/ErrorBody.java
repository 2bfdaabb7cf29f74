package dev.hexgate.error;

import java.util.List;

import com.fasterxml.jackson.annotation.JsonInclude;

import io.quarkus.runtime.annotations.RegisterForReflection;

/** The Nango-shaped error envelope: {@code {"error":{"code","message","errors"?}}}. */
@RegisterForReflection
public record ErrorBody(Content error) {

    /** The inside of the envelope. */
    @JsonInclude(JsonInclude.Include.NON_EMPTY)
    @RegisterForReflection
    public record Content(String code, String message, List<ErrorDetail> errors) {
    }

    public static ErrorBody of(ErrorCode code, String message, List<ErrorDetail> errors) {
        return new ErrorBody(new Content(code.code(), Redaction.redact(message), errors));
    }
}
