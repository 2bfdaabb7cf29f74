package dev.hexgate.error;

import java.util.List;

import com.fasterxml.jackson.annotation.JsonInclude;

import io.quarkus.runtime.annotations.RegisterForReflection;

/** One item of an error's {@code errors} array: which input was wrong and why, as Nango reports it. */
@JsonInclude(JsonInclude.Include.NON_NULL)
@RegisterForReflection
public record ErrorDetail(String code, String message, List<String> path) {

    public static ErrorDetail of(String field, String message) {
        return new ErrorDetail("invalid", Redaction.redact(message), List.of(Redaction.redact(field).split("\\.")));
    }
}
