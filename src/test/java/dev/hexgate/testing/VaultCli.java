package dev.hexgate.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Runs the shipped setup scripts ({@code deploy/vault/*.sh}) as an operator would, with OpenBao's {@code bao} answering to
 * the name {@code vault} (same commands, same flags) and the server's root token.
 */
public final class VaultCli {

    private VaultCli() {
    }

    /** Runs {@code script} against {@code vault}; returns what it printed, or fails with its output. */
    public static String run(OpenBao vault, Path script, Map<String, String> env) {
        try {
            Path shim = Files.createDirectories(Path.of("target", "vault-cli-shim").toAbsolutePath());
            Path command = shim.resolve("vault");
            if (!Files.exists(command, LinkOption.NOFOLLOW_LINKS)) {
                Files.createSymbolicLink(command, OpenBao.binary().toAbsolutePath());
            }
            ProcessBuilder builder = new ProcessBuilder("sh", script.toString()).redirectErrorStream(true);
            builder.environment().putAll(env);
            builder.environment().put("PATH", shim + ":" + System.getenv("PATH"));
            for (String prefix : new String[] { "VAULT_", "BAO_" }) {
                builder.environment().put(prefix + "ADDR", vault.url());
                builder.environment().put(prefix + "TOKEN", vault.rootToken());
            }
            Process process = builder.start();
            String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!process.waitFor(60, TimeUnit.SECONDS) || process.exitValue() != 0) {
                throw new IllegalStateException(script + " failed: " + output);
            }
            return output;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while running " + script, e);
        }
    }
}
