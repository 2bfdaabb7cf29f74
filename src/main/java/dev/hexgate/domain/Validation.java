package dev.hexgate.domain;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.regex.Pattern;

/** The validation rules of docs/contract.md §2, applied server-side to every input that reaches a host name or a store path. */
public final class Validation {

    /** One DNS label, lower case: no dots, ports, {@code @} or anything else that could move the upstream host. */
    private static final Pattern SUBDOMAIN = Pattern.compile("[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?");
    private static final Pattern TOKEN = Pattern.compile("hxt[pw]_[A-Za-z0-9]{16,256}");
    /** Anywhere in a text: what must never be kept outside a connection's own record (metadata, tags). */
    private static final Pattern TOKEN_INSIDE = Pattern.compile("hxt[pw]_[A-Za-z0-9]{16}");
    /** It becomes a Vault path segment: no {@code /}, and a leading alphanumeric rules out {@code ..}. */
    private static final Pattern CONNECTION_ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._:@+=~-]{0,254}");

    private static final int MAX_URL = 2048;

    private Validation() {
    }

    public static boolean isSubdomain(String value) {
        return value != null && SUBDOMAIN.matcher(value).matches();
    }

    public static boolean isToken(String value) {
        return value != null && TOKEN.matcher(value).matches();
    }

    /** True when something shaped like a Hex token appears anywhere in {@code text}. */
    public static boolean containsToken(String text) {
        return text != null && TOKEN_INSIDE.matcher(text).find();
    }

    /**
     * A webhook URL, as a regular expression that OpenAPI's {@code pattern} can state exactly (docs: openapi.yaml,
     * {@code WebhookUrl}): http or https in any case, a host name (its last label starting with a letter) or an IPv4
     * address, an optional port 1–65535, then path and query of URI characters or percent escapes; no user info, no
     * fragment. Everything it admits is a URI with a host that the JDK and Vert.x parse.
     */
    public static final String WEBHOOK_URL;

    static {
        String octet = "(25[0-5]|2[0-4][0-9]|1[0-9]{2}|[1-9]?[0-9])";
        String label = "[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?";
        String top = "[A-Za-z]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?";
        String host = "(" + octet + "(\\." + octet + "){3}|(" + label + "\\.)*" + top + ")";
        String port = "(:(6553[0-5]|655[0-2][0-9]|65[0-4][0-9]{2}|6[0-4][0-9]{3}|[1-5][0-9]{4}|[1-9][0-9]{0,3}))?";
        String pchar = "([A-Za-z0-9._~!$&'()*+,;=:@-]|%[0-9A-Fa-f]{2})";
        WEBHOOK_URL = "[Hh][Tt][Tt][Pp][Ss]?://" + host + port + "(/(" + pchar + "|/)*)?(\\?(" + pchar + "|[/?])*)?";
    }

    private static final Pattern WEBHOOK = Pattern.compile(WEBHOOK_URL);

    /** A webhook URL ({@link #WEBHOOK_URL}) of at most 2048 characters; the empty string (no override) is not one. */
    public static boolean isWebhookUrl(String value) {
        if (value == null || value.isEmpty() || value.length() > MAX_URL || !WEBHOOK.matcher(value).matches()) {
            return false;
        }
        try {
            return new URI(value).getHost() != null;
        } catch (URISyntaxException e) {
            return false;
        }
    }

    public static boolean isConnectionId(String value) {
        return value != null && CONNECTION_ID.matcher(value).matches();
    }
}
