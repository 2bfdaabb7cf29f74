package dev.hexgate.connection;

import java.time.InstantSource;
import java.time.temporal.ChronoUnit;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;

import dev.hexgate.domain.Connection;
import dev.hexgate.domain.HexAccount;
import dev.hexgate.domain.NewConnection;
import dev.hexgate.domain.StoredConnection;
import dev.hexgate.domain.Validation;
import dev.hexgate.error.ErrorCode;
import dev.hexgate.error.GatewayException;
import dev.hexgate.hex.TokenVerifier;
import dev.hexgate.store.ConnectionStore;
import dev.hexgate.store.StoreException;
import dev.hexgate.store.TokenCache;
import io.smallrye.mutiny.Uni;

/** Links, reads, lists and deletes connections: validation first, then Hex, then the store, then the local cache. */
@ApplicationScoped
public class ConnectionService {

    private final InstantSource clock;
    private final LinkRequestValidator validator;
    private final TokenVerifier verifier;
    private final ConnectionStore store;
    private final TokenCache cache;

    public ConnectionService(LinkRequestValidator validator, TokenVerifier verifier, ConnectionStore store, TokenCache cache,
            InstantSource clock) {
        this.validator = validator;
        this.verifier = verifier;
        this.store = store;
        this.cache = cache;
        this.clock = clock;
    }

    /** Verifies the token with Hex and stores the connection, replacing one with the same id. */
    public Uni<Connection> link(LinkRequest request) {
        validator.validate(request);
        NewConnection link = new NewConnection(
                request.connectionId() != null ? request.connectionId() : UUID.randomUUID().toString(),
                request.providerConfigKey(), request.connectionConfig().subdomain(), request.credentials().apiKey(),
                request.metadata(), request.endUser(), request.tags());
        return verify(link).flatMap(account -> store(link, account));
    }

    /** What Hex says about the token (docs/contract.md §3 maps each refusal); nothing is stored. */
    public Uni<HexAccount> verify(NewConnection link) {
        return verifier.verify(link.subdomain(), link.token());
    }

    /** Stores a verified connection, keeping the creation time of one it replaces, and uses it on this replica at once. */
    public Uni<Connection> store(NewConnection link, HexAccount account) {
        return StoreException.orUnavailable(store.find(link.connectionId())).flatMap(existing -> {
            String now = clock.instant().truncatedTo(ChronoUnit.MILLIS).toString();
            String createdAt = existing.map(e -> e.connection().createdAt()).orElse(now);
            Connection connection = new Connection(link.connectionId(), link.providerConfigKey(), link.subdomain(),
                    link.metadata(), link.endUser(), link.tags() == null ? Map.of() : link.tags(), createdAt, now, account);
            StoredConnection stored = new StoredConnection(connection, link.token());
            return StoreException.orUnavailable(store.save(stored)).invoke(() -> cache.put(stored)).replaceWith(connection);
        });
    }

    public Uni<Connection> get(String connectionId) {
        if (!Validation.isConnectionId(connectionId)) {
            return Uni.createFrom().failure(unknown());
        }
        return StoreException.orUnavailable(store.find(connectionId))
                .map(found -> found.map(StoredConnection::connection).orElseThrow(ConnectionService::unknown));
    }

    /** Connections in creation order, filtered and paged as {@code GET /connections} asks. */
    public Uni<List<Connection>> list(Optional<String> connectionId, Optional<String> endUserId, int limit, int page) {
        Uni<List<Connection>> all = connectionId.isPresent()
                ? (Validation.isConnectionId(connectionId.get())
                        ? StoreException.orUnavailable(store.find(connectionId.get()))
                                .map(f -> f.map(StoredConnection::connection).stream().toList())
                        : Uni.createFrom().item(List.of()))
                : StoreException.orUnavailable(store.list());
        return all.map(connections -> connections.stream()
                .filter(c -> endUserId.isEmpty() || (c.endUser() != null && endUserId.get().equals(c.endUser().id())))
                .sorted(Comparator.comparing(Connection::createdAt).thenComparing(Connection::connectionId))
                .skip((long) page * limit)
                .limit(limit)
                .toList());
    }

    public Uni<Void> delete(String connectionId) {
        if (!Validation.isConnectionId(connectionId)) {
            return Uni.createFrom().failure(unknown());
        }
        return StoreException.orUnavailable(store.delete(connectionId)).map(existed -> {
            cache.invalidate(connectionId);
            if (!existed) {
                throw unknown();
            }
            return null;
        });
    }

    private static GatewayException unknown() {
        return new GatewayException(ErrorCode.UNKNOWN_CONNECTION, "No connection with this id.");
    }
}
