package dev.hexgate.testing;

/** The secret keys configured for tests (application.properties, %test profile). */
public final class Keys {

    public static final String FULL = "test-full-access-key-0123456789abcdef";
    public static final String PROXY_ONLY = "test-proxy-only-key-0123456789abcdef";

    private Keys() {
    }

    public static String bearer(String key) {
        return "Bearer " + key;
    }
}
