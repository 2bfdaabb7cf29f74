package dev.hexgate.domain;

import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;

/** A validated link: everything needed to store a connection once Hex has vouched for the token. */
public record NewConnection(String connectionId, String providerConfigKey, String subdomain, String token, JsonNode metadata,
        EndUser endUser, Map<String, String> tags) {

    @Override
    public String toString() {
        return "NewConnection[" + connectionId + ", " + subdomain + "]";
    }
}
