package dev.hexgate.webhook;

import java.util.Map;
import java.util.TreeMap;

import dev.hexgate.domain.Connection;
import dev.hexgate.domain.EndUser;

/**
 * One auth event about a connection, as Nango's {@code NangoAuthWebhookBody} describes it (docs/contract.md §10):
 * {@code creation}, {@code override}, {@code deletion}, or {@code refresh} with {@code success} false (its token died)
 * or true (it works again). Built from the connection without its token, so no webhook can carry one.
 */
public record AuthEvent(String operation, boolean success, Connection connection, boolean namesEndUser, String errorType,
        String errorDescription) {

    public static AuthEvent linked(Connection connection, boolean replaced, boolean viaSession) {
        return new AuthEvent(replaced ? "override" : "creation", true, connection, viaSession, null, null);
    }

    public static AuthEvent deleted(Connection connection) {
        return new AuthEvent("deletion", true, connection, false, null, null);
    }

    public static AuthEvent tokenDead(Connection connection) {
        return new AuthEvent("refresh", false, connection, false, "token_invalid",
                "Hex no longer accepts this connection's API token (HTTP 401 from GET /api/v1/users/me): it expired, was "
                        + "revoked, or API access was switched off. Ask its owner to reconnect.");
    }

    public static AuthEvent tokenAlive(Connection connection) {
        return new AuthEvent("refresh", true, connection, false, null, null);
    }

    /**
     * The body as a tree of sorted maps, so that serialising it gives Nango's {@code stringifyStable} form: compact, keys
     * sorted at every depth, absent fields left out.
     */
    Map<String, Object> body(String environment, String providerConfigKey) {
        Map<String, Object> body = new TreeMap<>();
        body.put("from", "nango");
        body.put("type", "auth");
        body.put("operation", operation);
        body.put("success", success);
        body.put("connectionId", connection.connectionId());
        body.put("providerConfigKey", providerConfigKey);
        body.put("provider", "hex");
        body.put("authMode", "API_KEY");
        body.put("environment", environment);
        body.put("tags", new TreeMap<>(connection.tags() == null ? Map.of() : connection.tags()));
        EndUser user = connection.endUser();
        if (namesEndUser && user != null) {
            Map<String, Object> endUser = new TreeMap<>();
            endUser.put("endUserId", user.id());
            endUser.put("endUserEmail", user.email());
            endUser.put("tags", new TreeMap<>(user.tags() == null ? Map.of() : user.tags()));
            body.put("endUser", endUser);
        }
        if (!success) {
            body.put("error", new TreeMap<>(Map.of("type", errorType, "description", errorDescription)));
        }
        return body;
    }
}
