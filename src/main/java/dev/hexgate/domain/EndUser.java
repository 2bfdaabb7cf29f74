package dev.hexgate.domain;

import java.util.Map;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;

import io.quarkus.runtime.annotations.RegisterForReflection;

/** The end user a connection belongs to, as Nango models it. */
@JsonInclude(JsonInclude.Include.NON_NULL)
@RegisterForReflection
public record EndUser(
        String id,
        String email,
        @JsonProperty("display_name") String displayName,
        Map<String, String> tags) {
}
