package dev.hexgate.error;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

import dev.hexgate.support.Hashes;

/** Masks anything shaped like a Hex token in text that may reach a caller or a log: the last line of defence. */
public final class Redaction {

    private static final Pattern TOKEN = Pattern.compile("hxt[pw]_[A-Za-z0-9]+");

    private Redaction() {
    }

    /** The token's type prefix and last four characters, e.g. {@code hxtp_…a1b2}; enough to tell tokens apart. */
    public static String hint(String token) {
        if (token == null || token.length() < 9) {
            return "hxt?_…";
        }
        return token.substring(0, 5) + "…" + token.substring(token.length() - 4);
    }

    /**
     * A connection id as warnings and errors name it: a stable, non-reversible reference ({@code conn_} and 12 hex digits of
     * its SHA-256), because ids may be e-mail addresses; whoever knows an id can compute its reference to find its lines.
     */
    public static String connectionRef(String connectionId) {
        return connectionId == null ? "conn_none" : "conn_" + Hashes.sha256Hex(connectionId).substring(0, 12);
    }

    public static String redact(String text) {
        if (text == null || !text.contains("hxt")) {
            return text;
        }
        Matcher m = TOKEN.matcher(text);
        StringBuilder out = new StringBuilder();
        while (m.find()) {
            m.appendReplacement(out, Matcher.quoteReplacement(hint(m.group())));
        }
        m.appendTail(out);
        return out.toString();
    }
}
