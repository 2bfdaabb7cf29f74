package dev.hexgate.domain;

import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.JsonNode;

import io.quarkus.runtime.annotations.RegisterForReflection;

/**
 * A linked Hex account without its token: what is stored beside the token and what callers may see. Its
 * {@code webhook_url_override} replaces {@code HEXGATE_WEBHOOK_URLS} for its events; {@code errors} says what is wrong
 * with it (a dead token).
 */
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
        HexAccount hex,
        @JsonInclude(JsonInclude.Include.NON_NULL) @JsonProperty("webhook_url_override") String webhookUrlOverride,
        @JsonInclude(JsonInclude.Include.NON_EMPTY) List<ConnectionError> errors) {

    public Connection {
        // JSON null and a missing value are the same: no metadata, no errors.
        metadata = metadata == null || metadata.isNull() ? null : metadata;
        errors = errors == null ? List.of() : List.copyOf(errors);
    }

    /** True when Hex no longer accepts its token (found by the token check or a proxied 401). */
    @JsonIgnore
    public boolean tokenInvalid() {
        return errors.stream().anyMatch(ConnectionError::isTokenInvalid);
    }

    /**
     * Whether it carries every tag of {@code wanted}: keys compared without case ({@code @nangohq/node} lower-cases them
     * in a {@code tags} filter), values exactly.
     */
    public boolean hasTags(Map<String, String> wanted) {
        Map<String, String> have = tags == null ? Map.of() : tags;
        return wanted.entrySet().stream().allMatch(w -> have.entrySet().stream()
                .anyMatch(h -> h.getKey().equalsIgnoreCase(w.getKey()) && h.getValue().equals(w.getValue())));
    }

    /** The same connection with this metadata, changed at {@code at}. */
    public Connection withMetadata(JsonNode newMetadata, String at) {
        return new Connection(connectionId, providerConfigKey, subdomain, newMetadata, endUser, tags, createdAt, at, hex,
                webhookUrlOverride, errors);
    }

    /** The same connection with this end user, these tags and this webhook override, changed at {@code at}. */
    public Connection withSettings(EndUser newEndUser, Map<String, String> newTags, String newOverride, String at) {
        return new Connection(connectionId, providerConfigKey, subdomain, metadata, newEndUser, newTags, createdAt, at, hex,
                newOverride, errors);
    }

    /** The same connection with these errors, changed at {@code at}. */
    public Connection withErrors(List<ConnectionError> newErrors, String at) {
        return new Connection(connectionId, providerConfigKey, subdomain, metadata, endUser, tags, createdAt, at, hex,
                webhookUrlOverride, newErrors);
    }
}
