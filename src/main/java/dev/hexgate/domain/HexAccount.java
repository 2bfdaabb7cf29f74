package dev.hexgate.domain;

import com.fasterxml.jackson.annotation.JsonProperty;

import io.quarkus.runtime.annotations.RegisterForReflection;

/** What hexgate knows about a connection's token without holding it: its type, a hint, and what Hex said at link time. */
@RegisterForReflection
public record HexAccount(
        @JsonProperty("token_type") String tokenType,
        @JsonProperty("token_hint") String tokenHint,
        @JsonProperty("org_id") String orgId,
        @JsonProperty("user_email") String userEmail,
        @JsonProperty("token_expires_at") String tokenExpiresAt,
        @JsonProperty("verified_at") String verifiedAt) {

    public static String tokenType(String token) {
        return token.startsWith("hxtw_") ? "workspace" : "personal";
    }
}
