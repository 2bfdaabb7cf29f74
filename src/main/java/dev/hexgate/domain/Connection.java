package dev.hexgate.domain;

import java.util.Map;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.JsonNode;

import io.quarkus.runtime.annotations.RegisterForReflection;

/** A linked Hex account without its token: what is stored beside the token and what callers may see. */
@RegisterForReflection
public record Connection(
        @JsonProperty("connection_id") String connectionId,
        @JsonProperty("provider_config_key") String providerConfigKey,
        String subdomain,
        JsonNode metadata,
        @JsonProperty("end_user") EndUser endUser,
        Map<String, String> tags,
        @JsonProperty("created_at") String createdAt,
        @JsonProperty("updated_at") String updatedAt,
        HexAccount hex) {

    public Connection {
        // JSON null and a missing value are the same: no metadata.
        metadata = metadata == null || metadata.isNull() ? null : metadata;
    }
}
