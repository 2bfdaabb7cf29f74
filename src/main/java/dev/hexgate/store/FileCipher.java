package dev.hexgate.store;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.Optional;

import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

import org.jboss.logging.Logger;

/** AES-256-GCM for the file store, with the key from {@code HEXGATE_STORE_FILE_KEY} or a 0600 key file it generates once. */
final class FileCipher {

    private static final Logger LOG = Logger.getLogger(FileCipher.class);
    private static final byte VERSION = 1;
    private static final int NONCE_BYTES = 12;
    private static final int TAG_BITS = 128;
    /** Per instance, made at run time: a static generator would be frozen into the native image's heap. */
    private final SecureRandom random;
    private final SecretKeySpec key;

    private FileCipher(byte[] key, SecureRandom random) {
        this.key = new SecretKeySpec(key, "AES");
        this.random = random;
    }

    static FileCipher open(Path dir, Optional<String> configuredKey) {
        SecureRandom random = new SecureRandom();
        if (configuredKey.isPresent() && !configuredKey.get().isBlank()) {
            return new FileCipher(decode(configuredKey.get().trim(), "HEXGATE_STORE_FILE_KEY"), random);
        }
        try {
            return new FileCipher(loadOrCreateKeyFile(dir, random), random);
        } catch (IOException e) {
            throw new IllegalStateException("Cannot read or create the file store key in " + dir + ": " + e.getMessage());
        }
    }

    byte[] seal(byte[] plaintext, byte[] aad) throws GeneralSecurityException {
        byte[] nonce = new byte[NONCE_BYTES];
        random.nextBytes(nonce);
        Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
        cipher.init(Cipher.ENCRYPT_MODE, key, new GCMParameterSpec(TAG_BITS, nonce));
        cipher.updateAAD(aad);
        byte[] sealed = cipher.doFinal(plaintext);
        return ByteBuffer.allocate(1 + NONCE_BYTES + sealed.length).put(VERSION).put(nonce).put(sealed).array();
    }

    byte[] open(byte[] file, byte[] aad) {
        if (file.length < 1 + NONCE_BYTES || file[0] != VERSION) {
            throw new StoreException("A file store record has an unknown format");
        }
        try {
            Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
            cipher.init(Cipher.DECRYPT_MODE, key, new GCMParameterSpec(TAG_BITS, file, 1, NONCE_BYTES));
            cipher.updateAAD(aad);
            return cipher.doFinal(file, 1 + NONCE_BYTES, file.length - 1 - NONCE_BYTES);
        } catch (GeneralSecurityException e) {
            throw new StoreException(
                    "A file store record cannot be decrypted (wrong HEXGATE_STORE_FILE_KEY or a tampered file)");
        }
    }

    private static byte[] loadOrCreateKeyFile(Path dir, SecureRandom random) throws IOException {
        Path keyFile = dir.resolve("store.key");
        if (!Files.exists(keyFile)) {
            Files.createDirectories(dir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
            byte[] fresh = new byte[32];
            random.nextBytes(fresh);
            try {
                Files.write(Files.createFile(keyFile,
                        PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------"))),
                        Base64.getEncoder().encode(fresh));
                LOG.infof("Generated a file store key in %s (mode 0600); keep it with the data, or set HEXGATE_STORE_FILE_KEY",
                        keyFile);
                return fresh;
            } catch (FileAlreadyExistsException raced) {
                // another process created it first: use theirs
            }
        }
        return decode(Files.readString(keyFile).trim(), keyFile.toString());
    }

    private static byte[] decode(String base64, String source) {
        byte[] key;
        try {
            key = Base64.getDecoder().decode(base64);
        } catch (IllegalArgumentException e) {
            throw new IllegalStateException(source + " is not valid base64");
        }
        if (key.length != 32) {
            throw new IllegalStateException(source + " must decode to 32 bytes (AES-256), not " + key.length);
        }
        return key;
    }
}
