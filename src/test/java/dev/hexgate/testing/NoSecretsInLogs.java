package dev.hexgate.testing;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * After each test class, scans everything the gateway has logged so far for Hex tokens, secret keys and the Vault token;
 * any hit fails the class. Tests and the packaged app under integration tests both log to the %test file log.
 */
public class NoSecretsInLogs implements AfterAllCallback {

    private static final Pattern TOKEN = Pattern.compile("hxt[pw]_[A-Za-z0-9]{16,}");
    /** A connect-session token ({@code ConnectSessionService.TOKEN_PREFIX} and 32 random bytes), or a long piece of one. */
    private static final Pattern SESSION_TOKEN = Pattern.compile("hexgate_connect_session_[0-9a-f]{16,}");
    private static final List<Path> LOGS = List.of(Path.of("target/hexgate-test.log"));
    private static final List<String> SECRETS = new CopyOnWriteArrayList<>(
            List.of(Keys.FULL, Keys.PROXY_ONLY, OpenBao.ROOT_TOKEN));
    /** Where each log stood when this test JVM first looked: earlier runs' lines are not this run's to judge. */
    private static final Map<Path, Long> START = new ConcurrentHashMap<>();

    /** A secret made while the tests run (a Vault token, say) that must not be logged either. */
    public static void secret(String value) {
        if (value != null && !value.isEmpty()) {
            SECRETS.add(value);
        }
    }

    /** Called as early as possible (test resources start before Quarkus), so every line of this run is scanned. */
    public static void markStart() {
        for (Path log : LOGS) {
            START.computeIfAbsent(log, p -> {
                try {
                    return Files.exists(p) ? Files.size(p) : 0L;
                } catch (IOException e) {
                    return 0L;
                }
            });
        }
    }

    /**
     * What this test JVM's run has written to a log so far (lines of earlier runs in the same file are left out); a line
     * being written as it is read may end mid-character, which decodes as U+FFFD, never fails.
     */
    public static String loggedThisRun(Path log) {
        try {
            byte[] all = Files.readAllBytes(log);
            int from = (int) Math.min(START.getOrDefault(log, 0L), all.length);
            return new String(all, from, all.length - from, StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "";
        }
    }

    @Override
    public void afterAll(ExtensionContext context) throws IOException {
        List<String> leaks = new ArrayList<>();
        for (Path log : LOGS) {
            if (!Files.exists(log)) {
                continue;
            }
            byte[] all = Files.readAllBytes(log);
            int from = (int) Math.min(START.getOrDefault(log, 0L), all.length);
            String text = new String(all, from, all.length - from, StandardCharsets.UTF_8);
            Matcher m = TOKEN.matcher(text);
            while (m.find()) {
                leaks.add(log + ": a Hex token (" + m.group().substring(0, 9) + "…)");
            }
            Matcher session = SESSION_TOKEN.matcher(text);
            while (session.find()) {
                leaks.add(log + ": a connect-session token (" + session.group().substring(0, 27) + "…)");
            }
            for (String secret : SECRETS) {
                if (text.contains(secret)) {
                    leaks.add(log + ": a secret key or Vault token (" + secret.substring(0, 8) + "…)");
                }
            }
        }
        if (!leaks.isEmpty()) {
            fail("Secrets were logged:\n" + String.join("\n", leaks));
        }
    }

    /** For tests that check the scanner itself. */
    public static boolean looksLikeToken(String text) {
        return TOKEN.matcher(text).find() || SESSION_TOKEN.matcher(text).find();
    }
}
