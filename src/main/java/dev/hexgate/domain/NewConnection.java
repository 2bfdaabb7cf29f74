package dev.hexgate.domain;

import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * A validated link: everything needed to store a connection once Hex has vouched for the token. {@code webhookUrlOverride}
 * null keeps what a replaced connection had, {@code ""} clears it; {@code viaSession} marks a link made through a connect
 * session (its creation webhook names the end user, as Nango's does). {@code reconnect} replaces only the token (and
 * subdomain) of an existing connection: its metadata stay, its end user stays unless it had none, its tags stay unless
 * {@code tags} is given; it fails if the connection is gone.
 */
public record NewConnection(String connectionId, String providerConfigKey, String subdomain, String token, JsonNode metadata,
        EndUser endUser, Map<String, String> tags, String webhookUrlOverride, boolean viaSession, boolean reconnect) {

    @Override
    public String toString() {
        return "NewConnection[" + connectionId + ", " + subdomain + "]";
    }
}
