package dev.hexgate.testing;

import java.time.Instant;

/**
 * Runs the fake Hex on its own, for trying hexgate locally without a Hex account:
 * {@code ./mvnw -q test-compile exec:java@fake-hex} (port 8089, or {@code -Dfake-hex.port=…}).
 * Point hexgate at it with {@code HEXGATE_UPSTREAM_SCHEME=http HEXGATE_UPSTREAM_CONNECT_TO=127.0.0.1:8089}.
 */
public final class FakeHexMain {

    /** Demo tokens: well-formed, accepted only by this fake. */
    static final String PERSONAL = "hxtp_demoPersonalToken0000000000app";
    static final String WORKSPACE = "hxtw_demoWorkspaceToken000000000eu";

    private FakeHexMain() {
    }

    public static void main(String[] args) throws Exception {
        int port = Integer.getInteger("fake-hex.port", 8089);
        FakeHex hex = new FakeHex();
        hex.accept(PERSONAL, new FakeHex.TokenInfo("app", false, "analyst@example.com", "org-demo",
                Instant.now().plusSeconds(30L * 86400).getEpochSecond(), 200));
        hex.accept(WORKSPACE, new FakeHex.TokenInfo("eu", true, null, "org-demo-eu", null, 200));
        hex.start(port);
        System.out.printf("Fake Hex listening on 127.0.0.1:%d (any <subdomain>.hex.tech in the Host header)%n", port);
        System.out.printf("  personal token for subdomain app: %s%n", PERSONAL);
        System.out.printf("  workspace token for subdomain eu: %s%n", WORKSPACE);
        System.out.println("Stop with Ctrl+C.");
        Thread.currentThread().join();
    }
}
