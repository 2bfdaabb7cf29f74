package dev.hexgate.connectui;

import java.util.Map;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonProperty;

import dev.hexgate.domain.EndUser;
import io.quarkus.runtime.annotations.RegisterForReflection;

/** The body of {@code POST /connect/sessions/reconnect}, shaped as Nango's; unknown fields are refused. */
@RegisterForReflection
@JsonIgnoreProperties(ignoreUnknown = false)
public record ReconnectSessionRequest(
        @JsonProperty("connection_id") String connectionId,
        @JsonProperty("integration_id") String integrationId,
        @JsonProperty("end_user") EndUser endUser,
        ConnectSessionRequest.Organization organization,
        @JsonProperty("integrations_config_defaults") Map<String, ConnectSessionRequest.IntegrationDefaults> integrationsConfigDefaults,
        Map<String, String> tags,
        @JsonProperty("webhook_url_override") String webhookUrlOverride) {
}
