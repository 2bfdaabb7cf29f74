package dev.hexgate.connection;

import java.time.InstantSource;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.function.UnaryOperator;

import jakarta.enterprise.context.ApplicationScoped;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.hexgate.domain.Connection;
import dev.hexgate.domain.ConnectionError;
import dev.hexgate.domain.EndUser;
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
import dev.hexgate.store.Versioned;
import dev.hexgate.webhook.AuthEvent;
import dev.hexgate.webhook.Webhooks;
import dev.hexgate.webhook.Webhooks.Condition;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;

/**
 * Links, reads, lists and deletes connections: validation first, then Hex, then the store, then the local cache. Every
 * change queues its auth webhooks in the store before it is made and sends them once it is.
 */
@ApplicationScoped
public class ConnectionService {

    private static final int SAVE_ATTEMPTS = 5;

    private final InstantSource clock;
    private final LinkRequestValidator validator;
    private final TokenVerifier verifier;
    private final ConnectionStore store;
    private final TokenCache cache;
    private final Webhooks webhooks;

    public ConnectionService(LinkRequestValidator validator, TokenVerifier verifier, ConnectionStore store, TokenCache cache,
            Webhooks webhooks, InstantSource clock) {
        this.webhooks = webhooks;
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
                request.metadata(), request.endUser(), request.tags(), request.webhookUrlOverride(), false, false);
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
            Optional<Connection> before = existing.map(e -> e.value().connection());
            if (link.reconnect() && before.isEmpty()) {
                throw new GatewayException(ErrorCode.UNKNOWN_CONNECTION,
                        "The connection this reconnect session was for no longer exists; nothing was saved.");
            }
            String createdAt = before.map(Connection::createdAt).orElse(now);
            // Absent keeps the override a replaced connection had; "" clears it. A new link clears its errors.
            String override = overrideAfter(link.webhookUrlOverride(), before.map(Connection::webhookUrlOverride).orElse(null));
            Connection kept = link.reconnect() ? before.get() : null;
            Connection connection = new Connection(link.connectionId(), link.providerConfigKey(), link.subdomain(),
                    kept != null ? kept.metadata() : link.metadata(),
                    kept != null && kept.endUser() != null ? kept.endUser() : link.endUser(),
                    link.tags() != null ? link.tags() : kept != null ? kept.tags() : Map.of(), createdAt, now, account,
                    override, List.of());
            List<AuthEvent> events = new ArrayList<>();
            events.add(AuthEvent.linked(connection, before.isPresent(), link.viaSession()));
            if (before.map(Connection::tokenInvalid).orElse(false)) {
                events.add(AuthEvent.tokenAlive(connection));
            }
            return save(new StoredConnection(connection, link.token()), existing, events).flatMap(saved -> {
                if (saved) {
                    return Uni.createFrom().item(connection);
                }
                if (attemptsLeft <= 1) {
                    throw new StoreException("connection " + link.connectionId() + " kept changing while it was linked");
                }
                return storeOnce(link, account, attemptsLeft - 1);
            });
        });
    }

    /**
     * Writes a connection over the version read, with its webhooks queued first and sent once it is written; false (and
     * nothing queued) when another write came first.
     */
    private Uni<Boolean> save(StoredConnection stored, Optional<Versioned<StoredConnection>> existing, List<AuthEvent> events) {
        int written = existing.map(Versioned::version).orElse(Versioned.ABSENT) + 1;
        Condition condition = Condition.written(stored.connectionId(), written);
        return webhooks.queue(stored.connection(), events, condition).flatMap(queued -> store.save(stored, existing)
                .call(saved -> {
                    if (saved) {
                        cache.put(stored);
                        webhooks.send(queued);
                        return Uni.createFrom().voidItem();
                    }
                    return webhooks.discard(queued);
                }));
    }

    /**
     * Records what a check of a connection's token found: {@code alive} false puts {@code token_invalid} in its
     * {@code errors} and sends {@code refresh}/false, true clears it and sends {@code refresh}/true; each only when it
     * changes something, so one dead token gives one webhook however often it is found. Written over the version that
     * was checked: if the connection changed meanwhile (a new link clears its errors itself), nothing is written.
     */
    public Uni<Void> recordTokenCheck(Versioned<StoredConnection> checked, boolean alive) {
        Connection connection = checked.value().connection();
        if (connection.tokenInvalid() != alive) {
            return Uni.createFrom().voidItem();
        }
        String now = clock.instant().truncatedTo(ChronoUnit.MILLIS).toString();
        List<ConnectionError> errors = new ArrayList<>(connection.errors());
        errors.removeIf(ConnectionError::isTokenInvalid);
        if (!alive) {
            errors.add(ConnectionError.tokenInvalid(now));
        }
        Connection changed = connection.withErrors(errors, now);
        AuthEvent event = alive ? AuthEvent.tokenAlive(changed) : AuthEvent.tokenDead(changed);
        return StoreException.orUnavailable(save(new StoredConnection(changed, checked.value().token()),
                Optional.of(checked), List.of(event))).replaceWithVoid();
    }

    /**
     * {@code setMetadata} ({@code merge} false: replaces the object) and {@code updateMetadata} (true: a shallow merge, the
     * new top-level keys over the old) for one connection id or several. Every id is read before anything is written: one
     * unknown id is a 404 and nothing changes. Each write names the version it read and is repeated on a race; a connection
     * deleted between the check and its write is the one case that leaves the others changed (the answer is then 404).
     */
    public Uni<Void> metadata(MetadataRequest request, boolean merge) {
        List<String> ids = validator.validateMetadata(request);
        return StoreException.orUnavailable(Multi.createFrom().iterable(ids)
                .onItem().transformToUniAndConcatenate(id -> Validation.isConnectionId(id) ? store.read(id)
                        : Uni.createFrom().item(Optional.<Versioned<StoredConnection>> empty()))
                .collect().asList()
                .flatMap(found -> {
                    long missing = found.stream().filter(Optional::isEmpty).count();
                    if (missing > 0) {
                        // Counted, not echoed: ids may be e-mail addresses.
                        return Uni.createFrom().failure(new GatewayException(ErrorCode.UNKNOWN_CONNECTION, (ids.size() == 1
                                ? "No connection with this id"
                                : missing + " of the " + ids.size() + " ids name no connection")
                                + "; no metadata was changed."));
                    }
                    // Each write starts from the version just read; only a lost race reads again.
                    return Multi.createFrom().range(0, ids.size())
                            .onItem()
                            .transformToUniAndConcatenate(i -> changeFrom(ids.get(i), found.get(i), c -> c.withMetadata(
                                    merge ? merged(c.metadata(), request.metadata()) : request.metadata(), now()),
                                    SAVE_ATTEMPTS))
                            .collect().last().replaceWithVoid();
                }));
    }

    /**
     * {@code PATCH /connections/{id}} ({@code patchConnection}): as Nango, an end user given becomes the connection's and
     * its tags become {@code {end_user_id, end_user_email?, end_user_display_name?, ...tags}}; tags alone replace the
     * tags; {@code webhook_url_override} {@code ""} clears it. The token, metadata and everything else stay; no webhook.
     */
    public Uni<Void> patch(String connectionId, PatchRequest request) {
        validator.validatePatch(request);
        if (!Validation.isConnectionId(connectionId)) {
            return Uni.createFrom().failure(unknown());
        }
        return StoreException.orUnavailable(change(connectionId, c -> {
            EndUser user = request.endUser() != null ? request.endUser() : c.endUser();
            Map<String, String> tags = request.tagsAfter();
            return c.withSettings(user, tags != null ? tags : c.tags(),
                    overrideAfter(request.webhookUrlOverride(), c.webhookUrlOverride()), now());
        }, SAVE_ATTEMPTS)).replaceWithVoid();
    }

    private static JsonNode merged(JsonNode before, JsonNode changes) {
        ObjectNode result = before != null && before.isObject() ? ((ObjectNode) before).deepCopy()
                : JsonNodeFactory.instance.objectNode();
        changes.fields().forEachRemaining(e -> result.set(e.getKey(), e.getValue()));
        return result;
    }

    /** Writes {@code edit} of a connection over the version read, again on a race; no webhook (the token is unchanged). */
    private Uni<Connection> change(String connectionId, UnaryOperator<Connection> edit, int attemptsLeft) {
        return store.read(connectionId).flatMap(existing -> changeFrom(connectionId, existing, edit, attemptsLeft));
    }

    /** {@link #change} from a version already read. */
    private Uni<Connection> changeFrom(String connectionId, Optional<Versioned<StoredConnection>> existing,
            UnaryOperator<Connection> edit, int attemptsLeft) {
        if (existing.isEmpty()) {
            return Uni.createFrom().failure(unknown());
        }
        StoredConnection current = existing.get().value();
        Connection changed = edit.apply(current.connection());
        return save(new StoredConnection(changed, current.token()), existing, List.of()).flatMap(saved -> {
            if (saved) {
                return Uni.createFrom().item(changed);
            }
            if (attemptsLeft <= 1) {
                throw new StoreException("connection " + connectionId + " kept changing while it was updated");
            }
            return change(connectionId, edit, attemptsLeft - 1);
        });
    }

    /** {@code webhook_url_override} as links, sessions and PATCH take it: absent keeps {@code current}, "" clears it. */
    private static String overrideAfter(String given, String current) {
        return given == null ? current : given.isEmpty() ? null : given;
    }

    private String now() {
        return clock.instant().truncatedTo(ChronoUnit.MILLIS).toString();
    }

    public Uni<Connection> get(String connectionId) {
        if (!Validation.isConnectionId(connectionId)) {
            return Uni.createFrom().failure(unknown());
        }
        return StoreException.orUnavailable(store.find(connectionId))
                .map(found -> found.map(StoredConnection::connection).orElseThrow(ConnectionService::unknown));
    }

    /** Connections in creation order, filtered and paged as {@code GET /connections} asks; reads only that page. */
    public Uni<List<Connection>> list(Optional<String> connectionId, Optional<String> endUserId, Map<String, String> tags,
            int limit, int page) {
        if (connectionId.isEmpty()) {
            return StoreException.orUnavailable(store.page(endUserId, tags, limit, (long) page * limit));
        }
        if (!Validation.isConnectionId(connectionId.get())) {
            return Uni.createFrom().item(List.of());
        }
        return StoreException.orUnavailable(store.find(connectionId.get())).map(found -> found
                .map(StoredConnection::connection)
                .filter(c -> endUserId.isEmpty() || (c.endUser() != null && endUserId.get().equals(c.endUser().id())))
                .filter(c -> c.hasTags(tags))
                .stream().skip((long) page * limit).limit(limit).toList());
    }

    /** Deletes a connection, its deletion webhook queued first and sent once it is gone. */
    public Uni<Void> delete(String connectionId) {
        if (!Validation.isConnectionId(connectionId)) {
            return Uni.createFrom().failure(unknown());
        }
        return StoreException.orUnavailable(store.read(connectionId).flatMap(found -> {
            if (found.isEmpty()) {
                cache.invalidate(connectionId);
                return Uni.createFrom().item(false);
            }
            Connection connection = found.get().value().connection();
            Condition condition = Condition.deleted(connectionId, found.get().version());
            return webhooks.queue(connection, List.of(AuthEvent.deleted(connection)), condition)
                    .flatMap(queued -> store.delete(connectionId).call(existed -> {
                        cache.invalidate(connectionId);
                        if (existed) {
                            webhooks.send(queued);
                            return Uni.createFrom().voidItem();
                        }
                        return webhooks.discard(queued);
                    }));
        })).map(existed -> {
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
