package dev.hexgate.store;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.util.Map;

import org.jboss.logging.Logger;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.hexgate.error.Redaction;

/**
 * The file store's first layout (up to 0.x): {@code connections/<sha256 of id>.conn} holding {@code {token, connection}}
 * and {@code connect-sessions/<sha256>.sess}. At start each connection file is rewritten as a record (version 1) and then
 * removed, so an upgrade keeps every connection; a crash half-way leaves the old file, and the next start finishes the job.
 * Old connect sessions cannot be carried over (their file names hash an id that is not stored) and expire within hours
 * anyway: they are removed, and said so.
 */
final class LegacyFiles {

    private static final Logger LOG = Logger.getLogger(LegacyFiles.class);

    private final Path root;
    private final FileCipher cipher;
    private final ObjectMapper mapper;
    private final FileRecords records;

    LegacyFiles(Path root, FileCipher cipher, ObjectMapper mapper, FileRecords records) {
        this.root = root;
        this.cipher = cipher;
        this.mapper = mapper;
        this.records = records;
    }

    void migrate() throws IOException, GeneralSecurityException {
        int moved = 0;
        try (DirectoryStream<Path> files = Files.newDirectoryStream(root.resolve("connections"), "*.conn")) {
            for (Path file : files) {
                JsonNode old = mapper.readTree(cipher.open(Files.readAllBytes(file), aad(file)));
                String id = old.get("connection").get("connection_id").asText();
                Map<String, String> value = Map.of(ConnectionStore.TOKEN_FIELD, old.get("token").asText(),
                        ConnectionStore.CONNECTION_FIELD, old.get("connection").toString());
                String key = ConnectionStore.CONNECTIONS + id;
                if (!records.writeNow(key, value, Versioned.ABSENT)) {
                    LOG.warnf("Connection %s exists in both file layouts; the new one is kept", Redaction.connectionRef(id));
                }
                Files.delete(file);
                moved++;
            }
        }
        int dropped = 0;
        Path sessions = root.resolve("connect-sessions");
        if (Files.isDirectory(sessions)) {
            try (DirectoryStream<Path> files = Files.newDirectoryStream(sessions, "*.sess")) {
                for (Path file : files) {
                    Files.delete(file);
                    dropped++;
                }
            }
        }
        if (moved > 0 || dropped > 0) {
            FileRecords.syncDirectory(root.resolve("connections"));
            LOG.infof("File store upgraded to records: %d connections moved, %d open connect sessions from before the "
                    + "upgrade removed (their links must be started again)", moved, dropped);
        }
    }

    private static byte[] aad(Path file) {
        return file.getFileName().toString().getBytes(StandardCharsets.UTF_8);
    }
}
