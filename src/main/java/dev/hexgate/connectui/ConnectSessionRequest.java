package dev.hexgate.connectui;

import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonProperty;

import dev.hexgate.domain.EndUser;
import io.quarkus.runtime.annotations.RegisterForReflection;

/** The body of {@code POST /connect/sessions}, shaped as Nango's; unknown fields are refused. */
@RegisterForReflection
@JsonIgnoreProperties(ignoreUnknown = false)
public record ConnectSessionRequest(
        @JsonProperty("end_user") EndUser endUser,
        Organization organization,
        @JsonProperty("allowed_integrations") List<String> allowedIntegrations,
        @JsonProperty("integrations_config_defaults") Map<String, IntegrationDefaults> integrationsConfigDefaults,
        Map<String, String> tags,
        @JsonProperty("webhook_url_override") String webhookUrlOverride) {

    /** Nango's end-user organisation; accepted for compatibility, hexgate keeps no organisations. */
    @RegisterForReflection
    @JsonIgnoreProperties(ignoreUnknown = false)
    public record Organization(String id, @JsonProperty("display_name") String displayName) {
    }

    /** Per-integration defaults; for Hex only a fixed subdomain. */
    @RegisterForReflection
    @JsonIgnoreProperties(ignoreUnknown = false)
    public record IntegrationDefaults(@JsonProperty("connection_config") Defaults connectionConfig) {
    }

    /** Connection settings the end user may not change. */
    @RegisterForReflection
    @JsonIgnoreProperties(ignoreUnknown = false)
    public record Defaults(String subdomain) {
    }
}
