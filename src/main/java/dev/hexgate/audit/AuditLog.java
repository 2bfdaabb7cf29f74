package dev.hexgate.audit;

import java.util.LinkedHashMap;
import java.util.Map;

import jakarta.enterprise.context.ApplicationScoped;

import org.jboss.logging.Logger;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.hexgate.error.Redaction;

/**
 * One JSON line per security-relevant event on the {@code hexgate.audit} logger: who (a non-reversible id of the secret
 * key, or the connect session), what, which connection, and the outcome. Never a token or a key.
 */
@ApplicationScoped
public class AuditLog {

    private static final Logger LOG = Logger.getLogger("hexgate.audit");

    private final ObjectMapper mapper;

    public AuditLog(ObjectMapper mapper) {
        this.mapper = mapper;
    }

    /** A backend call, by the non-reversible id of the caller's secret key ({@code SecretKeys.keyId}). */
    public void byKey(String keyId, String action, String connectionId, String outcome) {
        write(keyId, action, connectionId, outcome);
    }

    /** An end user's action through a connect session, named by the session's (already hashed) id. */
    public void bySession(String sessionId, String action, String connectionId, String outcome) {
        write("session_" + sessionId.substring(0, 12), action, connectionId, outcome);
    }

    private void write(String actor, String action, String connectionId, String outcome) {
        Map<String, String> line = new LinkedHashMap<>();
        line.put("audit", action);
        line.put("actor", actor);
        if (connectionId != null) {
            line.put("connection_id", Redaction.redact(connectionId));
        }
        line.put("outcome", outcome);
        try {
            LOG.info(mapper.writeValueAsString(line));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
