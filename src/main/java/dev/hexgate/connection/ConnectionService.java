package dev.hexgate.connection;

import java.time.InstantSource;
import java.time.temporal.ChronoUnit;
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

    private static final int SAVE_ATTEMPTS = 5;

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

    /**
     * Stores a verified connection, keeping the creation time of one it replaces, and uses it on this replica at once.
     * The write names the version it replaces: when another link of the same id (on any replica) lands in between, this
     * one reads again and replaces that, so the last link wins and no write is lost half-way.
     */
    public Uni<Connection> store(NewConnection link, HexAccount account) {
        return StoreException.orUnavailable(storeOnce(link, account, SAVE_ATTEMPTS));
    }

    private Uni<Connection> storeOnce(NewConnection link, HexAccount account, int attemptsLeft) {
        return store.read(link.connectionId()).flatMap(existing -> {
            String now = clock.instant().truncatedTo(ChronoUnit.MILLIS).toString();
            String createdAt = existing.map(e -> e.value().connection().createdAt()).orElse(now);
            Connection connection = new Connection(link.connectionId(), link.providerConfigKey(), link.subdomain(),
                    link.metadata(), link.endUser(), link.tags() == null ? Map.of() : link.tags(), createdAt, now, account);
            StoredConnection stored = new StoredConnection(connection, link.token());
            return store.save(stored, existing).flatMap(saved -> {
                if (saved) {
                    cache.put(stored);
                    return Uni.createFrom().item(connection);
                }
                if (attemptsLeft <= 1) {
                    throw new StoreException("connection " + link.connectionId() + " kept changing while it was linked");
                }
                return storeOnce(link, account, attemptsLeft - 1);
            });
        });
    }

    public Uni<Connection> get(String connectionId) {
        if (!Validation.isConnectionId(connectionId)) {
            return Uni.createFrom().failure(unknown());
        }
        return StoreException.orUnavailable(store.find(connectionId))
                .map(found -> found.map(StoredConnection::connection).orElseThrow(ConnectionService::unknown));
    }

    /** Connections in creation order, filtered and paged as {@code GET /connections} asks; reads only that page. */
    public Uni<List<Connection>> list(Optional<String> connectionId, Optional<String> endUserId, int limit, int page) {
        if (connectionId.isEmpty()) {
            return StoreException.orUnavailable(store.page(endUserId, limit, (long) page * limit));
        }
        if (!Validation.isConnectionId(connectionId.get())) {
            return Uni.createFrom().item(List.of());
        }
        return StoreException.orUnavailable(store.find(connectionId.get())).map(found -> found
                .map(StoredConnection::connection)
                .filter(c -> endUserId.isEmpty() || (c.endUser() != null && endUserId.get().equals(c.endUser().id())))
                .stream().skip((long) page * limit).limit(limit).toList());
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
