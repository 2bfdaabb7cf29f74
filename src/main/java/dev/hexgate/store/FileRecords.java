package dev.hexgate.store;

import java.io.IOException;
import java.net.URLDecoder;
import java.net.URLEncoder;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.GeneralSecurityException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NavigableSet;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentSkipListSet;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Typed;
import jakarta.inject.Inject;

import org.jboss.logging.Logger;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.hexgate.config.HexgateConfig;
import io.quarkus.arc.Unremovable;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.infrastructure.Infrastructure;

/**
 * {@link Records} in local files, for a single node: one AES-256-GCM file per key, its path the key's segments
 * (percent-encoded) with {@code .rec} on the last, sealed with the key as associated data so files cannot be swapped.
 * Writes are atomic (temp file, fsync, rename, directory fsync) and serialised by one lock, which is also what makes
 * compare-and-set hold. File I/O runs on the worker pool, never on the event loop.
 */
@ApplicationScoped
@Typed(FileRecords.class)
@Unremovable
public class FileRecords implements Records {

    private static final Logger LOG = Logger.getLogger(FileRecords.class);
    private static final String SUFFIX = ".rec";
    /** The longest part of an encoded name in one file or directory name (file systems allow 255 bytes). */
    private static final int NAME_PART = 200;
    private static final String CONTINUED = "%%";
    private static final TypeReference<Map<String, String>> STRING_MAP = new TypeReference<>() {
    };

    private final Path root;
    private final FileCipher cipher;
    private final ObjectMapper mapper;
    private final StoreMetrics metrics;
    private final OutageLog outages;
    private final Object writeLock = new Object();
    private final Map<String, NavigableSet<String>> folders = new ConcurrentHashMap<>();

    @Inject
    public FileRecords(HexgateConfig config, ConnectionCodec codec, StoreMetrics metrics) {
        this(Path.of(config.storeFile().dir()), config.storeFile().key(), codec.mapper(), metrics);
    }

    FileRecords(Path directory, Optional<String> key, ObjectMapper mapper, StoreMetrics metrics) {
        this.root = directory.toAbsolutePath();
        this.mapper = mapper;
        this.metrics = metrics;
        this.outages = new OutageLog("File", metrics);
        this.cipher = FileCipher.open(root, key);
        try {
            Files.createDirectories(root.resolve("connections"));
            new LegacyFiles(root, cipher, mapper, this).migrate();
        } catch (IOException | GeneralSecurityException e) {
            throw new IllegalStateException("Cannot prepare the file store directory " + root + ": " + e.getMessage());
        }
        LOG.warnf("Using the embedded file store in %s: single node only, not for several replicas "
                + "(set HEXGATE_STORE=vault for that)", root);
    }

    @Override
    public Uni<Optional<Versioned<Map<String, String>>>> read(String key) {
        return io("read", () -> open(key).map(record -> new Versioned<>(valueOf(record), record.get("version").asInt())));
    }

    @Override
    public Uni<Boolean> write(String key, Map<String, String> value, int expectedVersion, boolean secret) {
        // One version is all a file holds: the rename that replaces it is the end of the old token.
        return io("write", () -> writeNow(key, value, expectedVersion));
    }

    @Override
    public Uni<Void> put(String key, Map<String, String> value) {
        return io("write", () -> {
            synchronized (writeLock) {
                int current = open(key).map(record -> record.get("version").asInt()).orElse(Versioned.ABSENT);
                seal(key, value, current + 1);
            }
            return null;
        });
    }

    @Override
    public Uni<Boolean> delete(String key) {
        return io("delete", () -> {
            synchronized (writeLock) {
                Path file = fileOf(key);
                boolean existed = Files.deleteIfExists(file);
                if (existed) {
                    syncDirectory(file.getParent());
                    listed(key, false);
                }
                return existed;
            }
        });
    }

    @Override
    public Uni<Integer> version(String key) {
        return io("read metadata", () -> open(key).map(record -> record.get("version").asInt()).orElse(Versioned.ABSENT));
    }

    @Override
    public Uni<List<String>> list(String folder, String after, int limit) {
        return io("list", () -> {
            NavigableSet<String> names = folder(folder);
            List<String> page = new ArrayList<>(Math.min(limit, 128));
            for (String name : after == null ? names : names.tailSet(after, false)) {
                if (page.size() == limit) {
                    break;
                }
                page.add(name);
            }
            return page;
        });
    }

    /**
     * The sorted names in a folder, read from the directory once and then kept up to date by this process's writes and
     * deletes (the file store has one writer), so a page of a folder of a million keys costs what a page of ten does.
     */
    private NavigableSet<String> folder(String folder) throws IOException {
        NavigableSet<String> known = folders.get(folder);
        if (known != null) {
            return known;
        }
        synchronized (writeLock) {
            known = folders.get(folder);
            if (known == null) {
                known = scan(directoryOf(folder));
                folders.put(folder, known);
            }
            return known;
        }
    }

    private static NavigableSet<String> scan(Path dir) throws IOException {
        NavigableSet<String> names = new ConcurrentSkipListSet<>();
        scan(dir, "", names);
        return names;
    }

    /** Adds the names in {@code dir}; {@code prefix} is the encoded start of a long name whose parts it holds. */
    private static void scan(Path dir, String prefix, NavigableSet<String> names) throws IOException {
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir)) {
            for (Path entry : entries) {
                String name = entry.getFileName().toString();
                if (name.endsWith(SUFFIX)) {
                    names.add(decode(prefix + name.substring(0, name.length() - SUFFIX.length())));
                } else if (name.endsWith(CONTINUED) && Files.isDirectory(entry)) {
                    scan(entry, prefix + name.substring(0, name.length() - CONTINUED.length()), names);
                } else if (prefix.isEmpty() && !name.startsWith(".") && Files.isDirectory(entry)) {
                    names.add(decode(name) + "/");
                }
            }
        } catch (NoSuchFileException e) {
            // an empty folder; its names arrive with the first write
        }
    }

    /** Called under the write lock after a key was written or deleted: the folder listings that are loaded follow. */
    private void listed(String key, boolean present) {
        int slash = key.lastIndexOf('/');
        String folder = slash < 0 ? "" : key.substring(0, slash + 1);
        NavigableSet<String> names = folders.get(folder);
        if (names != null) {
            if (present) {
                names.add(key.substring(slash + 1));
            } else {
                names.remove(key.substring(slash + 1));
            }
        }
        // Each parent folder lists this one as a sub-folder from its first key on.
        while (present && slash > 0) {
            int parentSlash = key.lastIndexOf('/', slash - 1);
            String parent = parentSlash < 0 ? "" : key.substring(0, parentSlash + 1);
            NavigableSet<String> parentNames = folders.get(parent);
            if (parentNames != null) {
                parentNames.add(key.substring(parentSlash + 1, slash + 1));
            }
            slash = parentSlash;
        }
    }

    @Override
    public Uni<Void> check() {
        return io("check", () -> {
            if (!Files.isDirectory(root) || !Files.isWritable(root)) {
                throw new IOException("directory missing or not writable");
            }
            return null;
        });
    }

    @Override
    public String kind() {
        return "file";
    }

    /** Compare-and-set in one step under the write lock; used by the legacy migration too. */
    boolean writeNow(String key, Map<String, String> value, int expectedVersion) throws IOException, GeneralSecurityException {
        synchronized (writeLock) {
            int current = open(key).map(record -> record.get("version").asInt()).orElse(Versioned.ABSENT);
            if (current != expectedVersion) {
                return false;
            }
            seal(key, value, current + 1);
            return true;
        }
    }

    private void seal(String key, Map<String, String> value, int version) throws IOException, GeneralSecurityException {
        ObjectNode record = mapper.createObjectNode();
        record.put("version", version);
        record.set("value", mapper.valueToTree(value));
        Path file = fileOf(key);
        Files.createDirectories(file.getParent());
        writeAtomically(file, cipher.seal(mapper.writeValueAsBytes(record), aad(key)));
        listed(key, true);
    }

    /** A decrypted record, or empty when the file does not exist. */
    private Optional<JsonNode> open(String key) throws IOException {
        byte[] sealed;
        try {
            sealed = Files.readAllBytes(fileOf(key));
        } catch (NoSuchFileException e) {
            return Optional.empty();
        }
        return Optional.of(mapper.readTree(cipher.open(sealed, aad(key))));
    }

    private Map<String, String> valueOf(JsonNode record) {
        return new LinkedHashMap<>(mapper.convertValue(record.get("value"), STRING_MAP));
    }

    /**
     * A key's file. File systems take names of at most 255 bytes, less than a 255-character connection id can encode to
     * (and an index key adds 14 characters): an encoded name longer than {@link #NAME_PART} is cut into parts, each but
     * the last a directory ending in {@link #CONTINUED}, which no encoded name can contain ({@code %} is always followed
     * by two hex digits). Reading a folder joins the parts again before decoding.
     */
    private Path fileOf(String key) {
        int slash = key.lastIndexOf('/');
        Path dir = slash < 0 ? root : directoryOf(key.substring(0, slash + 1));
        String name = encode(key.substring(slash + 1));
        while (name.length() > NAME_PART) {
            dir = dir.resolve(name.substring(0, NAME_PART) + CONTINUED);
            name = name.substring(NAME_PART);
        }
        return dir.resolve(name + SUFFIX);
    }

    private Path directoryOf(String folder) {
        Path dir = root;
        for (String segment : folder.split("/")) {
            if (!segment.isEmpty()) {
                dir = dir.resolve(encode(segment));
            }
        }
        return dir;
    }

    /**
     * A key segment as a file name: nothing but letters, digits, '-' and '_' stays as it is, so '.' can never mean a parent.
     */
    private static String encode(String segment) {
        return URLEncoder.encode(segment, StandardCharsets.UTF_8).replace(".", "%2E").replace("*", "%2A").replace("+", "%20");
    }

    private static String decode(String name) {
        return URLDecoder.decode(name.replace("+", "%2B"), StandardCharsets.UTF_8);
    }

    private static byte[] aad(String key) {
        return ("hexgate-record:" + key).getBytes(StandardCharsets.UTF_8);
    }

    private static void writeAtomically(Path file, byte[] content) throws IOException {
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

    static void syncDirectory(Path directory) throws IOException {
        try (FileChannel dir = FileChannel.open(directory, StandardOpenOption.READ)) {
            dir.force(true);
        }
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
                String cause = e.getClass().getSimpleName();
                // Logged by cause, as the Vault store does: reads and writes failing for one reason make one line.
                outages.failed(cause);
                throw new StoreException("file " + operation + " failed: " + cause);
            }
        }).runSubscriptionOn(Infrastructure.getDefaultWorkerPool()));
    }
}
