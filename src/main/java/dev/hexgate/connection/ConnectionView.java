package dev.hexgate.connection;

import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.JsonNode;

import dev.hexgate.domain.Connection;
import dev.hexgate.domain.ConnectionError;
import dev.hexgate.domain.EndUser;
import dev.hexgate.domain.HexAccount;
import io.quarkus.runtime.annotations.RegisterForReflection;

/** The Nango-shaped connection JSON of docs/contract.md §4; {@code credentials} is always empty. */
@JsonInclude(JsonInclude.Include.ALWAYS)
@RegisterForReflection
public record ConnectionView(
        String id,
        @JsonProperty("connection_id") String connectionId,
        @JsonProperty("provider_config_key") String providerConfigKey,
        String provider,
        @JsonProperty("connection_config") Map<String, String> connectionConfig,
        @JsonInclude(JsonInclude.Include.NON_NULL) Map<String, Object> credentials,
        JsonNode metadata,
        @JsonProperty("end_user") EndUser endUser,
        Map<String, String> tags,
        List<ConnectionError> errors,
        @JsonProperty("created_at") String createdAt,
        @JsonInclude(JsonInclude.Include.NON_NULL) String created,
        @JsonProperty("updated_at") String updatedAt,
        HexAccount hex) {

    /** The full form, as {@code GET /connections/{id}} and {@code POST /connections} return it. */
    public static ConnectionView full(Connection c) {
        return of(c, Map.of(), null);
    }

    /** The list item form: no {@code credentials} at all, plus Nango's {@code created}. */
    public static ConnectionView listItem(Connection c) {
        return of(c, null, c.createdAt());
    }

    private static ConnectionView of(Connection c, Map<String, Object> credentials, String created) {
        return new ConnectionView(c.connectionId(), c.connectionId(), c.providerConfigKey(), "hex",
                Map.of("subdomain", c.subdomain()), credentials, c.metadata(), c.endUser(),
                c.tags() == null ? Map.of() : c.tags(), c.errors(), c.createdAt(), created, c.updatedAt(), c.hex());
    }
}
