package dev.hexgate.connection;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.JsonNode;

import io.quarkus.runtime.annotations.RegisterForReflection;

/**
 * The body of {@code POST} and {@code PATCH /connections/metadata} ({@code setMetadata}, {@code updateMetadata}): one
 * connection id or an array of them. Strict, as Nango's; the answer echoes it.
 */
@RegisterForReflection
@JsonIgnoreProperties(ignoreUnknown = false)
public record MetadataRequest(
        JsonNode metadata,
        @JsonProperty("connection_id") JsonNode connectionId,
        @JsonProperty("provider_config_key") String providerConfigKey) {
}
