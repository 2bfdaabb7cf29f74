package dev.hexgate.store;

import java.io.IOException;
import java.util.List;
import java.util.Locale;
import java.util.stream.StreamSupport;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.quarkus.runtime.annotations.RegisterForReflection;
import io.quarkus.vault.client.VaultClientException;
import io.quarkus.vault.client.common.VaultErrorResponse;

/**
 * What Vault's {@code {"errors":[…]}} body says, read the same way on the JVM and in a native image. quarkus-vault binds
 * that body to {@link VaultErrorResponse} by reflection and, when that fails (the record is not registered for reflection
 * by the extension), keeps only the raw body: {@code hasErrorContaining} then sees no errors at all. So the record is
 * registered here, and the raw body is read as a JSON tree (no reflection) whenever the list is missing.
 */
@RegisterForReflection(targets = VaultErrorResponse.class)
final class VaultErrors {

    private static final ObjectMapper TREE = new ObjectMapper();

    private VaultErrors() {
    }

    /** True when any of Vault's error strings contains {@code text} (case-insensitive). */
    static boolean mention(VaultClientException e, String text) {
        String wanted = text.toLowerCase(Locale.ROOT);
        return errors(e).stream().anyMatch(error -> error.toLowerCase(Locale.ROOT).contains(wanted));
    }

    static List<String> errors(VaultClientException e) {
        if (e.getErrors() != null && !e.getErrors().isEmpty()) {
            return e.getErrors();
        }
        String body = e.getBody();
        if (body == null || body.isBlank()) {
            return List.of();
        }
        try {
            JsonNode list = TREE.readTree(body).path("errors");
            if (!list.isArray()) {
                return List.of();
            }
            return StreamSupport.stream(list.spliterator(), false).map(JsonNode::asText).toList();
        } catch (IOException notJson) {
            // A proxy in front of Vault may answer with text or HTML; its words are not Vault's.
            return List.of();
        }
    }
}
