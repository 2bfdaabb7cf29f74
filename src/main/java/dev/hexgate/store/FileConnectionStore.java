package dev.hexgate.store;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.stream.Stream;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Typed;
import jakarta.inject.Inject;

import org.jboss.logging.Logger;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.hexgate.config.HexgateConfig;
import dev.hexgate.domain.ConnectSession;
import dev.hexgate.domain.Connection;
import dev.hexgate.domain.StoredConnection;
import dev.hexgate.support.Hashes;
import io.quarkus.arc.Unremovable;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.infrastructure.Infrastructure;

/**
 * The embedded single-node store (docs/contract.md §7): one AES-256-GCM file per connection, named by the SHA-256 of its id,
 * written atomically (temp file, fsync, rename). File I/O runs on the worker pool, never on the event loop.
 */
@ApplicationScoped
@Typed(FileConnectionStore.class)
@Unremovable
public class FileConnectionStore implements ConnectionStore {

    private static final Logger LOG = Logger.getLogger(FileConnectionStore.class);
    private static final String SUFFIX = ".conn";
    private static final String SESSION_SUFFIX = ".sess";

    private final Path connections;
    private final Path sessions;
    private final FileCipher cipher;
    private final ConnectionCodec codec;
    private final OutageLog outages = new OutageLog("File");
    private final Object writeLock = new Object();
    private final StoreMetrics metrics;

    @Inject
    public FileConnectionStore(HexgateConfig config, ConnectionCodec codec, StoreMetrics metrics) {
        this(Path.of(config.storeFile().dir()), config.storeFile().key(), codec, metrics);
    }

    FileConnectionStore(Path directory, Optional<String> key, ConnectionCodec codec, StoreMetrics metrics) {
        this.metrics = metrics;
        Path dir = directory.toAbsolutePath();
        this.connections = dir.resolve("connections");
        this.sessions = dir.resolve("connect-sessions");
        this.codec = codec;
        this.cipher = FileCipher.open(dir, key);
        try {
            Files.createDirectories(connections);
            Files.createDirectories(sessions);
        } catch (IOException e) {
            throw new IllegalStateException("Cannot create the file store directory " + connections + ": " + e.getMessage());
        }
        LOG.warnf("Using the embedded file store in %s: single node only, not for several replicas "
                + "(set HEXGATE_STORE=vault for that)", dir);
    }

    @Override
    public Uni<Optional<StoredConnection>> find(String connectionId) {
        return io("read", () -> read(fileOf(connectionId)));
    }

    @Override
    public Uni<List<Connection>> list() {
        return io("list", () -> {
            List<Connection> all = new ArrayList<>();
            try (Stream<Path> files = Files.list(connections)) {
                for (Path file : (Iterable<Path>) files.filter(f -> f.getFileName().toString().endsWith(SUFFIX))::iterator) {
                    read(file).ifPresent(found -> all.add(found.connection()));
                }
            }
            return all;
        });
    }

    @Override
    public Uni<Void> save(StoredConnection connection) {
        return io("write", () -> {
            ObjectNode record = codec.mapper().createObjectNode();
            record.put("token", connection.token());
            record.set("connection", codec.mapper().valueToTree(connection.connection()));
            Path file = fileOf(connection.connectionId());
            byte[] sealed = cipher.seal(codec.mapper().writeValueAsBytes(record), aad(file));
            synchronized (writeLock) {
                writeAtomically(file, sealed);
            }
            return null;
        });
    }

    @Override
    public Uni<Boolean> delete(String connectionId) {
        return io("delete", () -> {
            synchronized (writeLock) {
                boolean existed = Files.deleteIfExists(fileOf(connectionId));
                syncDirectory();
                return existed;
            }
        });
    }

    @Override
    public Uni<Void> createSession(String id, ConnectSession session) {
        return io("write", () -> {
            synchronized (writeLock) {
                if (Files.exists(sessionFile(id))) {
                    throw new StoreException("a connect session with this id exists");
                }
                writeSession(id, session, 1);
            }
            return null;
        });
    }

    @Override
    public Uni<Optional<SessionRecord>> findSession(String id) {
        return io("read", () -> readSession(id));
    }

    @Override
    public Uni<Boolean> replaceSession(String id, ConnectSession session, int revision) {
        return io("write", () -> {
            synchronized (writeLock) {
                Optional<SessionRecord> current = readSession(id);
                if (current.isEmpty() || current.get().revision() != revision) {
                    return false;
                }
                writeSession(id, session, revision + 1);
                return true;
            }
        });
    }

    @Override
    public Uni<Integer> purgeSessions(Instant expiredBefore) {
        return io("delete", () -> {
            int removed = 0;
            try (DirectoryStream<Path> files = Files.newDirectoryStream(sessions, "*" + SESSION_SUFFIX)) {
                for (Path file : files) {
                    synchronized (writeLock) {
                        Optional<SessionRecord> record = readSession(file);
                        if (record.isPresent() && record.get().session().isExpired(expiredBefore)) {
                            Files.deleteIfExists(file);
                            removed++;
                        }
                    }
                }
            }
            if (removed > 0) {
                syncDirectory(sessions);
            }
            return removed;
        });
    }

    @Override
    public Uni<Void> check() {
        return io("check", () -> {
            if (!Files.isDirectory(connections) || !Files.isWritable(connections)) {
                throw new IOException("directory missing or not writable");
            }
            return null;
        });
    }

    @Override
    public String kind() {
        return "file";
    }

    private Optional<StoredConnection> read(Path file) throws IOException {
        return open(file).map(record -> new StoredConnection(codec.read(record.get("connection").toString()),
                record.get("token").asText()));
    }

    private Optional<SessionRecord> readSession(String id) throws IOException {
        return readSession(sessionFile(id));
    }

    private Optional<SessionRecord> readSession(Path file) throws IOException {
        return open(file).map(record -> new SessionRecord(codec.readSession(record.get("session").toString()),
                record.get("revision").asInt()));
    }

    /** A decrypted record, or empty when the file does not exist. */
    private Optional<JsonNode> open(Path file) throws IOException {
        byte[] sealed;
        try {
            sealed = Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            return Optional.empty();
        }
        return Optional.of(codec.mapper().readTree(cipher.open(sealed, aad(file))));
    }

    private void writeSession(String id, ConnectSession session, int revision) throws Exception {
        ObjectNode record = codec.mapper().createObjectNode();
        record.put("revision", revision);
        record.set("session", codec.mapper().valueToTree(session));
        Path file = sessionFile(id);
        writeAtomically(file, cipher.seal(codec.mapper().writeValueAsBytes(record), aad(file)));
    }

    private Path sessionFile(String id) {
        // The id is already a SHA-256 (of the session token); hashing again keeps file names uniform.
        return sessions.resolve(Hashes.sha256Hex(id) + SESSION_SUFFIX);
    }

    private void writeAtomically(Path file, byte[] content) throws IOException {
        Path temp = Files.createTempFile(file.getParent(), ".write-", ".tmp");
        try {
            try (FileChannel channel = FileChannel.open(temp, StandardOpenOption.WRITE)) {
                channel.write(ByteBuffer.wrap(content));
                channel.force(true);
            }
            Files.move(temp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            syncDirectory(file.getParent());
        } finally {
            Files.deleteIfExists(temp);
        }
    }

    private void syncDirectory() throws IOException {
        syncDirectory(connections);
    }

    private static void syncDirectory(Path directory) throws IOException {
        try (FileChannel dir = FileChannel.open(directory, StandardOpenOption.READ)) {
            dir.force(true);
        }
    }

    private Path fileOf(String connectionId) {
        return connections.resolve(Hashes.sha256Hex(connectionId) + SUFFIX);
    }

    /** Binds each ciphertext to its file name, so files cannot be swapped between connections. */
    private static byte[] aad(Path file) {
        return file.getFileName().toString().getBytes(StandardCharsets.UTF_8);
    }

    private <T> Uni<T> io(String operation, Callable<T> work) {
        return metrics.timed(operation, Uni.createFrom().item(() -> {
            try {
                T result = work.call();
                outages.succeeded();
                return result;
            } catch (StoreException e) {
                outages.failed(e.getMessage());
                throw e;
            } catch (Exception e) {
                String reason = "file " + operation + " failed: " + e.getClass().getSimpleName();
                outages.failed(reason);
                throw new StoreException(reason);
            }
        }).runSubscriptionOn(Infrastructure.getDefaultWorkerPool()));
    }

}
