package dev.hexgate.connection;

import java.util.Map;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.JsonNode;

import dev.hexgate.domain.EndUser;
import io.quarkus.runtime.annotations.RegisterForReflection;

/** The body of {@code POST /connections}; unknown fields are refused, as Nango's import is strict. */
@RegisterForReflection
@JsonIgnoreProperties(ignoreUnknown = false)
public record LinkRequest(
        @JsonProperty("provider_config_key") String providerConfigKey,
        @JsonProperty("connection_id") String connectionId,
        @JsonProperty("connection_config") ConnectionConfig connectionConfig,
        Credentials credentials,
        JsonNode metadata,
        @JsonProperty("end_user") EndUser endUser,
        Map<String, String> tags,
        @JsonProperty("webhook_url_override") String webhookUrlOverride) {

    /** Connection settings; for Hex only the subdomain. */
    @RegisterForReflection
    @JsonIgnoreProperties(ignoreUnknown = false)
    public record ConnectionConfig(String subdomain) {
    }

    /** {@code {"type":"API_KEY","apiKey":"hxtp_…"}}; its {@code toString} never shows the key. */
    @RegisterForReflection
    @JsonIgnoreProperties(ignoreUnknown = false)
    public record Credentials(String type, @JsonProperty("apiKey") String apiKey) {
        @Override
        public String toString() {
            return "Credentials[" + type + "]";
        }
    }
}
