package dev.hexgate.domain;

import java.time.Instant;
import java.util.Map;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;

import io.quarkus.runtime.annotations.RegisterForReflection;

/**
 * A connect session as stored under the SHA-256 of its token (never the token itself): who the end user is, a subdomain
 * the backend fixed, when it expires, and whether a link has used it. A reconnect session names the connection whose
 * token it replaces; its end user may be null (the connection has none) and its tags null (the connection's are kept).
 */
@RegisterForReflection
public record ConnectSession(
        @JsonProperty("end_user") EndUser endUser,
        Map<String, String> tags,
        @JsonProperty("preset_subdomain") String presetSubdomain,
        @JsonProperty("created_at") String createdAt,
        @JsonProperty("expires_at") String expiresAt,
        @JsonProperty("used_at") String usedAt,
        @JsonProperty("connection_id") String connectionId,
        @JsonInclude(JsonInclude.Include.NON_NULL) @JsonProperty("webhook_url_override") String webhookUrlOverride,
        @JsonInclude(JsonInclude.Include.NON_NULL) @JsonProperty("reconnect_connection_id") String reconnectConnectionId) {

    @JsonIgnore
    public boolean isReconnect() {
        return reconnectConnectionId != null;
    }

    @JsonIgnore
    public boolean isUsed() {
        return usedAt != null;
    }

    @JsonIgnore
    public boolean isExpired(Instant now) {
        return !now.isBefore(Instant.parse(expiresAt));
    }

    public ConnectSession usedBy(String connection, Instant at) {
        return new ConnectSession(endUser, tags, presetSubdomain, createdAt, expiresAt, at.toString(), connection,
                webhookUrlOverride, reconnectConnectionId);
    }

    public ConnectSession unused() {
        return new ConnectSession(endUser, tags, presetSubdomain, createdAt, expiresAt, null, null, webhookUrlOverride,
                reconnectConnectionId);
    }
}
