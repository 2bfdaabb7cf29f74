package dev.hexgate.connection;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import jakarta.enterprise.context.ApplicationScoped;

import com.fasterxml.jackson.databind.JsonNode;

import dev.hexgate.config.HexgateConfig;
import dev.hexgate.domain.EndUser;
import dev.hexgate.domain.Validation;
import dev.hexgate.error.ErrorCode;
import dev.hexgate.error.ErrorDetail;
import dev.hexgate.error.GatewayException;
import dev.hexgate.integration.IntegrationKey;

/** Checks a link request against docs/contract.md §2 before anything is contacted or stored. */
@ApplicationScoped
public class LinkRequestValidator {

    private static final int MAX_TAGS = 64;
    /** Metadata is kept beside the token in every index entry and webhook: 64 KiB of JSON at most. */
    static final int MAX_METADATA_BYTES = 64 * 1024;
    private static final int MAX_METADATA_IDS = 100;
    /** A connection of this id could not be read or deleted by id: the path is {@code setMetadata}'s. */
    private static final String RESERVED_ID = "metadata";
    private static final int MAX_TEXT = 255;

    private final IntegrationKey integration;
    private final HexgateConfig config;

    public LinkRequestValidator(IntegrationKey integration, HexgateConfig config) {
        this.integration = integration;
        this.config = config;
    }

    public void validate(LinkRequest request) {
        requireBody(request);
        List<ErrorDetail> errors = keyed(request.providerConfigKey());
        if (request.connectionId() != null && !Validation.isConnectionId(request.connectionId())) {
            errors.add(ErrorDetail.of("connection_id",
                    "must start with a letter or digit and contain only letters, digits and . _ : @ + = ~ - (at most 255)"));
        } else if (RESERVED_ID.equals(request.connectionId())) {
            errors.add(ErrorDetail.of("connection_id", "'metadata' is reserved: /connections/metadata is the metadata route"));
        }
        String subdomain = request.connectionConfig() == null ? null : request.connectionConfig().subdomain();
        if (!Validation.isSubdomain(subdomain)) {
            errors.add(ErrorDetail.of("connection_config.subdomain",
                    "must be one lower-case DNS label such as app, eu or your single-tenant name (the part before .hex.tech)"));
        }
        checkCredentials(request.credentials(), errors);
        if (request.metadata() != null && !request.metadata().isNull()) {
            checkMetadata(request.metadata(), errors);
        }
        checkEndUser(request.endUser(), errors);
        checkTags("tags", request.tags(), errors);
        checkWebhookUrl(request.webhookUrlOverride(), errors);
        refuse(errors);
    }

    /** A {@code PATCH /connections/{id}} body: the same end user, tag and webhook rules as a link's. */
    public void validatePatch(PatchRequest request) {
        requireBody(request);
        List<ErrorDetail> errors = new ArrayList<>();
        if (request.endUser() != null) {
            checkEndUser(request.endUser(), errors);
        }
        checkTags("tags", request.tags(), errors);
        if (errors.isEmpty() && request.endUser() != null) {
            // The end user's tags count towards the limits too.
            checkTags("tags", request.tagsAfter(), errors);
        }
        checkWebhookUrl(request.webhookUrlOverride(), errors);
        refuse(errors);
    }

    /** The ids of a metadata request (one, or an array of 1 to 100), after checking its body. */
    public List<String> validateMetadata(MetadataRequest request) {
        requireBody(request);
        List<ErrorDetail> errors = keyed(request.providerConfigKey());
        checkMetadata(request.metadata(), errors);
        List<String> ids = new ArrayList<>();
        JsonNode given = request.connectionId();
        if (given != null && given.isTextual() && !given.asText().isEmpty()) {
            ids.add(given.asText());
        } else if (given != null && given.isArray() && !given.isEmpty() && given.size() <= MAX_METADATA_IDS) {
            given.forEach(id -> ids.add(id.isTextual() ? id.asText() : ""));
            if (ids.contains("")) {
                errors.add(ErrorDetail.of("connection_id", "every id must be a non-empty string"));
            }
        } else {
            errors.add(ErrorDetail.of("connection_id", "a connection id, or an array of 1 to 100 of them"));
        }
        refuse(errors);
        return ids.stream().distinct().toList();
    }

    /** A 400 {@code invalid_body} for a request without a body. */
    public static void requireBody(Object request) {
        if (request == null) {
            throw new GatewayException(ErrorCode.INVALID_BODY, "A JSON body is required.",
                    List.of(ErrorDetail.of("body", "required")));
        }
    }

    /** A 400 {@code invalid_body} listing {@code errors}, if there are any. */
    public static void refuse(List<ErrorDetail> errors) {
        if (!errors.isEmpty()) {
            throw new GatewayException(ErrorCode.INVALID_BODY, "The request body failed validation.", errors);
        }
    }

    /** The errors list of a body naming the integration: 404 for another key, a missing one noted. */
    private List<ErrorDetail> keyed(String providerConfigKey) {
        integration.requireIfPresent(providerConfigKey, "provider_config_key");
        List<ErrorDetail> errors = new ArrayList<>();
        if (providerConfigKey == null || providerConfigKey.isEmpty()) {
            errors.add(ErrorDetail.of("provider_config_key", "required"));
        }
        return errors;
    }

    /**
     * {@code webhook_url_override}: absent, {@code ""} (no override), or an http(s) URL; a URL only when the gateway has a
     * signing key to sign its webhooks with.
     */
    public void checkWebhookUrl(String url, List<ErrorDetail> errors) {
        if (url == null || url.isEmpty()) {
            return;
        }
        if (!Validation.isWebhookUrl(url)) {
            errors.add(ErrorDetail.of("webhook_url_override",
                    "must be an absolute http or https URL without user info or fragment (at most 2048 characters), or ''"));
        } else if (config.webhook().signingKey().isEmpty()) {
            errors.add(ErrorDetail.of("webhook_url_override",
                    "this gateway sends no webhooks: HEXGATE_WEBHOOK_SIGNING_KEY is not set"));
        }
    }

    private static void checkCredentials(LinkRequest.Credentials credentials, List<ErrorDetail> errors) {
        if (credentials == null) {
            errors.add(ErrorDetail.of("credentials", "required"));
            return;
        }
        if (!"API_KEY".equals(credentials.type())) {
            errors.add(ErrorDetail.of("credentials.type", "must be API_KEY"));
        }
        if (!Validation.isToken(credentials.apiKey())) {
            errors.add(ErrorDetail.of("credentials.apiKey",
                    "must be a Hex API token: hxtp_ (personal) or hxtw_ (workspace) followed by 16 to 256 letters or digits"));
        }
    }

    /**
     * Metadata: a JSON object of at most {@value #MAX_METADATA_BYTES} bytes, holding nothing shaped like a Hex token (it
     * is shown by {@code GET /connections}, written to index entries and sent in webhooks, where a token must never be).
     */
    public static void checkMetadata(JsonNode metadata, List<ErrorDetail> errors) {
        if (metadata == null || !metadata.isObject()) {
            errors.add(ErrorDetail.of("metadata", "must be a JSON object"));
            return;
        }
        String json = metadata.toString();
        if (json.getBytes(StandardCharsets.UTF_8).length > MAX_METADATA_BYTES) {
            errors.add(ErrorDetail.of("metadata", "at most 64 KiB of JSON"));
        }
        if (Validation.containsToken(json)) {
            errors.add(ErrorDetail.of("metadata", "must not contain a Hex API token (hxtp_/hxtw_); tokens go in credentials"));
        }
    }

    /** An end user's id, email, display name and tags, as a link and a connect session both take them. */
    public static void checkEndUser(EndUser endUser, List<ErrorDetail> errors) {
        if (endUser == null) {
            return;
        }
        if (endUser.id() == null || endUser.id().isEmpty() || endUser.id().length() > MAX_TEXT) {
            errors.add(ErrorDetail.of("end_user.id", "required, 1 to 255 characters"));
        }
        if (endUser.email() != null && endUser.email().length() > MAX_TEXT) {
            errors.add(ErrorDetail.of("end_user.email", "at most 255 characters"));
        }
        if (endUser.displayName() != null && endUser.displayName().length() > MAX_TEXT) {
            errors.add(ErrorDetail.of("end_user.display_name", "at most 255 characters"));
        }
        checkTags("end_user.tags", endUser.tags(), errors);
    }

    /** Tags: at most 64, keys and values of 1 to 255 characters, no Hex token in either. */
    public static void checkTags(String field, Map<String, String> tags, List<ErrorDetail> errors) {
        if (tags == null) {
            return;
        }
        if (tags.size() > MAX_TAGS) {
            errors.add(ErrorDetail.of(field, "at most 64 tags"));
        }
        for (Map.Entry<String, String> e : tags.entrySet()) {
            if (e.getKey().isEmpty() || e.getKey().length() > MAX_TEXT || e.getValue() == null
                    || e.getValue().length() > MAX_TEXT) {
                errors.add(ErrorDetail.of(field, "keys and values must be strings of 1 to 255 characters"));
                return;
            }
            if (Validation.containsToken(e.getKey()) || Validation.containsToken(e.getValue())) {
                errors.add(ErrorDetail.of(field, "must not contain a Hex API token (hxtp_/hxtw_)"));
                return;
            }
        }
    }
}
