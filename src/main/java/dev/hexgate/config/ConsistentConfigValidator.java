package dev.hexgate.config;

import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import jakarta.validation.ConstraintValidator;
import jakarta.validation.ConstraintValidatorContext;

import dev.hexgate.domain.Validation;

/**
 * Cross-field checks on {@link HexgateConfig}. Each problem becomes its own message naming the variables involved; no
 * message repeats a configured value (some are secrets, and a value is not a message template).
 */
public class ConsistentConfigValidator implements ConstraintValidator<ConsistentConfig, HexgateConfig> {

    /** The port of a {@code host:port} (its format is the field's own constraint; this runs whether that passed or not). */
    private static final Pattern PORT_SUFFIX = Pattern.compile(":([0-9]{1,5})/?$");

    @Override
    public boolean isValid(HexgateConfig config, ConstraintValidatorContext context) {
        List<String> problems = problems(config);
        if (problems.isEmpty()) {
            return true;
        }
        context.disableDefaultConstraintViolation();
        problems.forEach(p -> context.buildConstraintViolationWithTemplate(p).addConstraintViolation());
        return false;
    }

    static List<String> problems(HexgateConfig config) {
        List<String> problems = new ArrayList<>();
        String publicUrl = publicUrlProblem(config.publicUrl());
        if (publicUrl != null) {
            problems.add(publicUrl);
        }
        portProblem(config.upstream().connectTo(), "HEXGATE_UPSTREAM_CONNECT_TO").ifPresent(problems::add);
        portProblem(config.upstream().proxy(), "HEXGATE_UPSTREAM_PROXY").ifPresent(problems::add);
        if (config.tls().cert().isPresent() && config.tls().key().isEmpty()) {
            problems.add("(HEXGATE_TLS_KEY) must be set when HEXGATE_TLS_CERT is");
        }
        if (config.tls().key().isPresent() && config.tls().cert().isEmpty()) {
            problems.add("(HEXGATE_TLS_CERT) must be set when HEXGATE_TLS_KEY is");
        }
        HexgateConfig.Webhook webhook = config.webhook();
        if (webhook.urls().orElse(List.of()).stream().anyMatch(url -> !Validation.isWebhookUrl(url))) {
            problems.add("(HEXGATE_WEBHOOK_URLS) must be absolute http or https URLs without user info or fragment");
        }
        if (webhook.urls().isPresent() && webhook.signingKey().isEmpty()) {
            problems.add("(HEXGATE_WEBHOOK_SIGNING_KEY) must be set when HEXGATE_WEBHOOK_URLS is");
        }
        if (webhook.signingKey().orElse(List.of()).stream().anyMatch(key -> key.length() < 16)) {
            problems.add("(HEXGATE_WEBHOOK_SIGNING_KEY) keys must be at least 16 characters");
        }
        HexgateConfig.Proxy proxy = config.proxy();
        if (proxy.retries() > proxy.maxRetries()) {
            problems.add("(HEXGATE_PROXY_RETRIES) must not exceed HEXGATE_PROXY_MAX_RETRIES");
        }
        if (proxy.maxBodySize().asLongValue() < 1) {
            problems.add("(HEXGATE_PROXY_MAX_BODY_SIZE) must be 1 byte or more");
        }
        if (proxy.retryBuffer().asLongValue() > proxy.retryBufferTotal().asLongValue()) {
            problems.add("(HEXGATE_PROXY_RETRY_BUFFER) must not exceed HEXGATE_PROXY_RETRY_BUFFER_TOTAL");
        }
        return problems;
    }

    private static Optional<String> portProblem(Optional<String> hostAndPort, String variable) {
        return hostAndPort.map(PORT_SUFFIX::matcher).filter(Matcher::find).map(m -> Integer.parseInt(m.group(1)))
                .filter(port -> port < 1 || port > 65535)
                .map(port -> "(" + variable + ") must name a port between 1 and 65535");
    }

    /** Connect links are built on this URL and shown to end users: it must be absolute http(s), and nothing more. */
    private static String publicUrlProblem(URI url) {
        String scheme = url.getScheme() == null ? "" : url.getScheme().toLowerCase(Locale.ROOT);
        if (!scheme.equals("https") && !scheme.equals("http") || url.getHost() == null) {
            return "(HEXGATE_PUBLIC_URL) must be an absolute http or https URL such as https://hexgate.example.com";
        }
        if (url.getRawUserInfo() != null || url.getRawQuery() != null || url.getRawFragment() != null) {
            return "(HEXGATE_PUBLIC_URL) must not carry user info, a query or a fragment";
        }
        return null;
    }
}
