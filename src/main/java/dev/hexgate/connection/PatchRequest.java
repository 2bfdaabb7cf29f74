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

    /**
     * The tags the connection gets, as Nango's {@code patchConnection}: the end user's ({@link #tagsOf}) and then those
     * given; null when neither {@code end_user} nor {@code tags} is given (the tags stay).
     */
    Map<String, String> tagsAfter() {
        if (endUser == null && tags == null) {
            return null;
        }
        Map<String, String> after = new LinkedHashMap<>(endUser == null ? Map.of() : tagsOf(endUser));
        after.putAll(tags == null ? Map.of() : tags);
        return after;
    }

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
