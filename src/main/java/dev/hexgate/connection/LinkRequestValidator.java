package dev.hexgate.connection;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import jakarta.enterprise.context.ApplicationScoped;

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
    private static final int MAX_TEXT = 255;

    private final IntegrationKey integration;
    private final HexgateConfig config;

    public LinkRequestValidator(IntegrationKey integration, HexgateConfig config) {
        this.integration = integration;
        this.config = config;
    }

    public void validate(LinkRequest request) {
        if (request == null) {
            throw new GatewayException(ErrorCode.INVALID_BODY, "A JSON body is required.",
                    List.of(ErrorDetail.of("body", "required")));
        }
        integration.requireIfPresent(request.providerConfigKey(), "provider_config_key");
        List<ErrorDetail> errors = new ArrayList<>();
        if (request.providerConfigKey() == null || request.providerConfigKey().isEmpty()) {
            errors.add(ErrorDetail.of("provider_config_key", "required"));
        }
        if (request.connectionId() != null && !Validation.isConnectionId(request.connectionId())) {
            errors.add(ErrorDetail.of("connection_id",
                    "must start with a letter or digit and contain only letters, digits and . _ : @ + = ~ - (at most 255)"));
        }
        String subdomain = request.connectionConfig() == null ? null : request.connectionConfig().subdomain();
        if (!Validation.isSubdomain(subdomain)) {
            errors.add(ErrorDetail.of("connection_config.subdomain",
                    "must be one lower-case DNS label such as app, eu or your single-tenant name (the part before .hex.tech)"));
        }
        checkCredentials(request.credentials(), errors);
        if (request.metadata() != null && !request.metadata().isNull() && !request.metadata().isObject()) {
            errors.add(ErrorDetail.of("metadata", "must be a JSON object"));
        }
        checkEndUser(request.endUser(), errors);
        checkTags("tags", request.tags(), errors);
        checkWebhookUrl(request.webhookUrlOverride(), errors);
        if (!errors.isEmpty()) {
            throw new GatewayException(ErrorCode.INVALID_BODY, "The request body failed validation.", errors);
        }
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

    /** Tags: at most 64, keys and values of 1 to 255 characters. */
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
        }
    }
}
