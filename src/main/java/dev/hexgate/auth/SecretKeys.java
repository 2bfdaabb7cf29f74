package dev.hexgate.auth;

import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;

import jakarta.inject.Singleton;

import org.jboss.logging.Logger;

import dev.hexgate.config.HexgateConfig;
import dev.hexgate.error.ErrorCode;
import dev.hexgate.error.GatewayException;
import dev.hexgate.support.Hashes;
import io.quarkus.runtime.LaunchMode;
import io.quarkus.runtime.Startup;

/**
 * The secret keys backend callers present. Only SHA-256 digests are kept, and a presented key is compared with every
 * configured one in constant time, so neither timing nor a heap dump gives a key away.
 */
@Startup
@Singleton
public class SecretKeys {

    private static final Logger LOG = Logger.getLogger(SecretKeys.class);
    static final int MIN_LENGTH = 24;
    /** Survives dev-mode live reloads, so the printed key stays valid until the JVM stops. */
    private static final String DEV_KEY_PROPERTY = "hexgate.dev.generated-key";

    /** A caller with a known key: what it may do, and the key's non-reversible id ({@link #keyId}). */
    public record Caller(Scope scope, String keyId) {
    }

    /** A configured key: its digest, and the caller it makes, worked out once at start rather than per request. */
    private record Key(byte[] digest, Caller caller) {
        Key(byte[] digest, Scope scope) {
            this(digest, new Caller(scope, "key_" + HexFormat.of().formatHex(digest).substring(0, 12)));
        }
    }

    private final List<Key> keys = new ArrayList<>();

    public SecretKeys(HexgateConfig config) {
        LaunchMode mode = LaunchMode.current();
        List<String> full = clean(config.apiKeys());
        List<String> proxy = clean(config.proxyApiKeys());
        if (full.isEmpty() && proxy.isEmpty()) {
            if (mode != LaunchMode.DEVELOPMENT) {
                throw new IllegalStateException("No secret key configured: set HEXGATE_API_KEYS (and optionally "
                        + "HEXGATE_PROXY_API_KEYS) to comma-separated keys of at least " + MIN_LENGTH + " characters");
            }
            full = List.of(devKey());
        }
        if (mode != LaunchMode.DEVELOPMENT) {
            requireLength(full, "HEXGATE_API_KEYS");
            requireLength(proxy, "HEXGATE_PROXY_API_KEYS");
        }
        full.forEach(k -> keys.add(new Key(Hashes.sha256(k), Scope.FULL)));
        proxy.forEach(k -> keys.add(new Key(Hashes.sha256(k), Scope.PROXY)));
    }

    /** The scope of the key in an {@code Authorization} header, or the 401 that refuses it. */
    public Scope authenticate(String authorization) {
        return identify(authorization).scope();
    }

    /**
     * The caller behind the key in an {@code Authorization} header (scope and key id, with no second hash of the key), or
     * the 401 that refuses it.
     */
    public Caller identify(String authorization) {
        if (authorization == null || authorization.isBlank()) {
            throw new GatewayException(ErrorCode.MISSING_AUTH_HEADER,
                    "Authentication failed. The request is missing the Authorization header.");
        }
        String presented = bearer(authorization);
        byte[] digest = Hashes.sha256(presented);
        Caller found = null;
        for (Key key : keys) {
            // No early exit: every configured key is compared, whatever matches.
            if (MessageDigest.isEqual(key.digest(), digest) && found == null) {
                found = key.caller();
            }
        }
        if (found == null || presented.isEmpty()) {
            throw new GatewayException(ErrorCode.UNKNOWN_SECRET_KEY, "Authentication failed. The secret key is not known.");
        }
        return found;
    }

    /** The credential of an {@code Authorization: Bearer …} header (the scheme without case), or "" for any other. */
    public static String bearer(String authorization) {
        return authorization != null && authorization.regionMatches(true, 0, "Bearer ", 0, 7)
                ? authorization.substring(7).trim()
                : "";
    }

    /**
     * A stable, non-reversible name for a key, for audit lines: of the {@link #bearer} credential, so that it is the id of
     * the key that authenticated (also when the header has spaces around it); a header of another scheme is named whole.
     */
    public static String keyId(String authorization) {
        String bearer = bearer(authorization);
        String presented = !bearer.isEmpty() || authorization == null ? bearer : authorization;
        return "key_" + Hashes.sha256Hex(presented).substring(0, 12);
    }

    private static String devKey() {
        String existing = System.getProperty(DEV_KEY_PROPERTY);
        if (existing != null) {
            return existing;
        }
        byte[] random = new byte[24];
        new SecureRandom().nextBytes(random);
        String key = "hexgate_dev_" + HexFormat.of().formatHex(random);
        System.setProperty(DEV_KEY_PROPERTY, key);
        // The one place a secret is printed: a key generated for a dev-mode run, as Vault's dev server prints its root token.
        LOG.infof("%n%n    No HEXGATE_API_KEYS set: generated a dev-mode secret key%n    Authorization: Bearer %s%n", key);
        return key;
    }

    private static void requireLength(List<String> keys, String variable) {
        for (String key : keys) {
            if (key.length() < MIN_LENGTH) {
                throw new IllegalStateException(variable + " holds a key shorter than " + MIN_LENGTH
                        + " characters; use long random keys (e.g. openssl rand -hex 32)");
            }
        }
    }

    private static List<String> clean(Optional<List<String>> keys) {
        return keys.orElse(List.of()).stream().map(String::trim).filter(k -> !k.isEmpty()).toList();
    }

}
