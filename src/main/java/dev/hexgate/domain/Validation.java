package dev.hexgate.domain;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.Locale;
import java.util.regex.Pattern;

/** The validation rules of docs/contract.md §2, applied server-side to every input that reaches a host name or a store path. */
public final class Validation {

    /** One DNS label, lower case: no dots, ports, {@code @} or anything else that could move the upstream host. */
    private static final Pattern SUBDOMAIN = Pattern.compile("[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?");
    private static final Pattern TOKEN = Pattern.compile("hxt[pw]_[A-Za-z0-9]{16,256}");
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

    /**
     * A webhook URL: absolute http or https with a host, no user info or fragment, at most 2048 characters. The empty
     * string (no override) is not one; callers that accept it say so.
     */
    public static boolean isWebhookUrl(String value) {
        if (value == null || value.isEmpty() || value.length() > MAX_URL) {
            return false;
        }
        try {
            URI url = new URI(value);
            String scheme = url.getScheme() == null ? "" : url.getScheme().toLowerCase(Locale.ROOT);
            return (scheme.equals("http") || scheme.equals("https")) && url.getHost() != null
                    && url.getRawUserInfo() == null && url.getRawFragment() == null;
        } catch (URISyntaxException e) {
            return false;
        }
    }

    public static boolean isConnectionId(String value) {
        return value != null && CONNECTION_ID.matcher(value).matches();
    }
}
