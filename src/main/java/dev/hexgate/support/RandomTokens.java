package dev.hexgate.support;

import java.security.SecureRandom;
import java.util.HexFormat;

import jakarta.enterprise.context.ApplicationScoped;

/**
 * Unguessable values (session tokens, CSRF tokens, keys). The generator is an instance field of a bean, so it is made at
 * run time: a {@code static} one would be created while the native image is built and frozen into its heap.
 */
@ApplicationScoped
public class RandomTokens {

    private final SecureRandom random = new SecureRandom();

    public byte[] bytes(int count) {
        byte[] bytes = new byte[count];
        random.nextBytes(bytes);
        return bytes;
    }

    /** {@code count} random bytes as lower-case hex. */
    public String hex(int count) {
        return HexFormat.of().formatHex(bytes(count));
    }
}
