package dev.hexgate.hex;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;

import io.quarkus.runtime.annotations.RegisterForReflection;

/**
 * The parts of Hex's {@code /v1/users/me} answer that hexgate keeps; workspace tokens carry only {@code org} and {@code token}.
 */
@JsonIgnoreProperties(ignoreUnknown = true)
@RegisterForReflection
public record HexIdentity(String email, Org org, Token token) {

    /** The workspace the token belongs to. */
    @JsonIgnoreProperties(ignoreUnknown = true)
    @RegisterForReflection
    public record Org(String id) {
    }

    /** The token's expiry; {@code exp} is null for a workspace token that never expires. */
    @JsonIgnoreProperties(ignoreUnknown = true)
    @RegisterForReflection
    public record Token(Double exp) {
    }
}
