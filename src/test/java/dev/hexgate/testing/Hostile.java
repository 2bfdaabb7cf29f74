package dev.hexgate.testing;

import java.util.List;
import java.util.SplittableRandom;

/**
 * Generates hostile inputs from a seed: attack fragments (separators, encodings, look-alikes, control characters,
 * other hosts) combined at random with random characters. The same seed gives the same cases, so a failure printed with
 * its seed can be replayed with {@code -Dhexgate.fuzz.seed=…}.
 */
public final class Hostile {

    private static final List<String> SUBDOMAIN_PARTS = List.of("app", "eu", "hc", "acme", "a", "0", "-", "--", ".", "..",
            ":", ":443", "@", "@evil.com", "\\", "/", "//", "%2e", "%2E", "%40", "%00", "%0d%0a", "\r\n", "\n", " ", "\t", "_",
            "#", "?", "APP", "App", "\u0430pp", "\uFF0E", "\u3002", "\u0131", "\u212A", "xn--80ak6aa92e", "evil.com",
            "localhost", "127.0.0.1", "[::1]", "169.254.169.254", "app.evil.com", "hex.tech", ".hex.tech", "*", "%",
            "a".repeat(63), "b".repeat(64), "c".repeat(200), "", "\u0000", "é", "💥", "app\u200b");
    private static final List<String> ID_PARTS = List.of("acme", "c1", "A.b", "_", "-", ".", "..", "/", "//", "%2F", "%2f",
            "\\", "%5C", "~", ":", "@", "+", "=", "?", "#", " ", "\t", "\u0000", "\u007f", "\u00e9", "\u202e", "..%2F",
            "../sys", "sys/raw", "x".repeat(255), "y".repeat(256), "", "%00", "*", ",", ";", "'", "\"", "{", "$", "${apiKey}");
    private static final List<String> PATH_PARTS = List.of("/v1/projects", "/v1", "/", "//", "..", "/..", "/../", "%2e%2e",
            "%2E%2E", ".%2e", "%2e.", "%252e%252e", "%25252e%25252e", "%2f", "%2F", "%5c", "%5C", "\\", "//evil.com",
            "@evil.com", "http://evil.com/", "https:", "%00", ";", ";jsessionid=1", "?a=1", "?x=..%2f", "#frag", "%23",
            "%3F", ".", "./", "~", "%7e", "%u002e", "%c0%ae%c0%ae", "..;", ";..", "%2e%2e%5c", "users", "me", "${apiKey}",
            "%24%7BapiKey%7D", "%zz", "%");
    private static final List<String> HEADER_NAMES = List.of("Host", "X-Forwarded-For", "X-Forwarded-Host", "X-Forwarded-Proto",
            "X-Forwarded-Port", "Forwarded", "X-Real-IP", "Nango-Proxy-Host", "Nango-Proxy-Authorization", "Nango-Proxy-Cookie",
            "Nango-Proxy-Proxy-Authorization", "Nango-Proxy-X-Forwarded-For", "Nango-Proxy-Connection", "Cookie",
            "Proxy-Authorization", "Base-Url-Override", "Connection", "Keep-Alive", "Upgrade", "TE", "Trailer",
            "Nango-Activity-Log-Id", "Nango-Is-Sync", "Provider-Config-Key", "Retries", "Retry-On", "Decompress",
            "Forward-Headers-On-Redirect", "X-Request-Id", "Authorization", "Connection-Id", "Expect", "Nango-Proxy-Host");
    private static final List<String> HEADER_VALUES = List.of("evil.com", "evil.com:8443", "127.0.0.1", "169.254.169.254",
            "for=1.2.3.4;host=evil.com;proto=http", "Bearer hxtp_0123456789abcdefCALLER", "session=caller-cookie",
            "Basic Y2FsbGVyOnNlY3JldA==", "https://evil.com", "http://127.0.0.1:8200", "", "close, Cookie", "X-Secret",
            "h2c", "trailers", "1", "true", "hex", "github", "3", "abc", "500,503", "100-continue", "app.hex.tech",
            "a".repeat(9000), "${apiKey}", "hexgate-token-probe");
    private static final String RANDOM_CHARS = "abcxyz019-._~:/?#[]@!$&'()*+,;=%\\ \"<>{}|^`\u00e9\u0430";

    private final SplittableRandom random;

    public Hostile(long seed) {
        this.random = new SplittableRandom(seed);
    }

    public static long seed() {
        String configured = System.getProperty("hexgate.fuzz.seed");
        return configured != null ? Long.parseLong(configured) : new SplittableRandom().nextLong();
    }

    public int nextInt(int bound) {
        return random.nextInt(bound);
    }

    public boolean chance(int percent) {
        return random.nextInt(100) < percent;
    }

    public <T> T pick(List<T> from) {
        return from.get(random.nextInt(from.size()));
    }

    public String subdomain() {
        return combine(SUBDOMAIN_PARTS, 3);
    }

    public String connectionId() {
        return combine(ID_PARTS, 3);
    }

    /** A proxy path: always starts with {@code /}, since the route is {@code /proxy/…}. */
    public String path() {
        String p = combine(PATH_PARTS, 5);
        return p.startsWith("/") ? p : "/" + p;
    }

    public String headerName() {
        return pick(HEADER_NAMES);
    }

    public String headerValue() {
        return chance(80) ? pick(HEADER_VALUES) : randomText(1 + random.nextInt(20));
    }

    private String combine(List<String> parts, int maxParts) {
        StringBuilder b = new StringBuilder();
        int n = 1 + random.nextInt(maxParts);
        for (int i = 0; i < n; i++) {
            b.append(chance(80) ? pick(parts) : randomText(1 + random.nextInt(6)));
        }
        return b.toString();
    }

    private String randomText(int length) {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < length; i++) {
            b.append(RANDOM_CHARS.charAt(random.nextInt(RANDOM_CHARS.length())));
        }
        return b.toString();
    }
}
