package dev.hexgate.connection;

import java.util.LinkedHashMap;
import java.util.Map;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonProperty;

import dev.hexgate.domain.EndUser;
import io.quarkus.runtime.annotations.RegisterForReflection;

/** The body of {@code PATCH /connections/{id}} ({@code patchConnection}), strict as Nango's. */
@RegisterForReflection
@JsonIgnoreProperties(ignoreUnknown = false)
public record PatchRequest(
        Map<String, String> tags,
        @JsonProperty("end_user") EndUser endUser,
        @JsonProperty("webhook_url_override") String webhookUrlOverride) {

    /** Nango's {@code buildTagsFromEndUser}: the end user's id, and its email and display name when it has them. */
    static Map<String, String> tagsOf(EndUser user) {
        Map<String, String> tags = new LinkedHashMap<>();
        tags.put("end_user_id", user.id());
        if (user.email() != null && !user.email().isEmpty()) {
            tags.put("end_user_email", user.email());
        }
        if (user.displayName() != null && !user.displayName().isEmpty()) {
            tags.put("end_user_display_name", user.displayName());
        }
        return tags;
    }
}
