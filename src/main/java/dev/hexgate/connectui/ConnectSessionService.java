package dev.hexgate.connectui;

import java.time.Instant;
import java.time.InstantSource;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

import jakarta.enterprise.context.ApplicationScoped;

import dev.hexgate.config.HexgateConfig;
import dev.hexgate.connection.LinkRequestValidator;
import dev.hexgate.domain.ConnectSession;
import dev.hexgate.domain.Connection;
import dev.hexgate.domain.EndUser;
import dev.hexgate.domain.StoredConnection;
import dev.hexgate.domain.Validation;
import dev.hexgate.error.ErrorCode;
import dev.hexgate.error.ErrorDetail;
import dev.hexgate.error.GatewayException;
import dev.hexgate.store.ConnectionStore;
import dev.hexgate.store.StoreException;
import dev.hexgate.store.Versioned;
import dev.hexgate.support.Hashes;
import dev.hexgate.support.RandomTokens;
import io.smallrye.mutiny.Uni;

/** Creates connect sessions and answers what state a presented session token is in; tokens are kept only as SHA-256. */
@ApplicationScoped
public class ConnectSessionService {

    public static final String TOKEN_PREFIX = "hexgate_connect_session_";
    private static final Pattern TOKEN = Pattern.compile(TOKEN_PREFIX + "[0-9a-f]{64}");

    /** What a presented session token leads to. */
    public enum State {
        OPEN,
        UNKNOWN,
        EXPIRED,
        USED
    }

    /** A looked-up session: its state and, when it exists, the stored record. */
    public record Lookup(State state, String id, Versioned<ConnectSession> record) {
    }

    /** A new session as the backend receives it; the token exists only in this answer and in the link. */
    public record Created(String token, String connectLink, String expiresAt) {
    }

    private final InstantSource clock;
    private final ConnectionStore store;
    private final HexgateConfig config;
    private final RandomTokens random;
    private final LinkRequestValidator links;

    public ConnectSessionService(ConnectionStore store, HexgateConfig config, RandomTokens random, LinkRequestValidator links,
            InstantSource clock) {
        this.store = store;
        this.links = links;
        this.config = config;
        this.random = random;
        this.clock = clock;
    }

    public Uni<Created> create(ConnectSessionRequest request) {
        LinkRequestValidator.requireBody(request);
        List<ErrorDetail> errors = new ArrayList<>();
        if (request.endUser() == null) {
            errors.add(ErrorDetail.of("end_user.id", "required, 1 to 255 characters"));
        }
        String subdomain = validate(request.endUser(), request.tags(), request.integrationsConfigDefaults(),
                request.webhookUrlOverride(), errors);
        String key = config.providerConfigKey();
        if (request.allowedIntegrations() != null && request.allowedIntegrations().stream().anyMatch(i -> !key.equals(i))) {
            errors.add(ErrorDetail.of("allowed_integrations", "this gateway only serves '" + key + "'"));
        }
        LinkRequestValidator.refuse(errors);
        return save(new ConnectSession(request.endUser(), request.tags() == null ? Map.of() : request.tags(), subdomain,
                null, null, null, null, emptyToNull(request.webhookUrlOverride()), null));
    }

    /**
     * A session whose submit replaces the token of an existing connection and keeps its id, metadata, end user and (unless
     * given here) tags. As Nango: an unknown connection or integration is 400 {@code invalid_body}; the end user is the
     * connection's, or the one given if it has none. The subdomain is preset to the connection's unless the defaults name
     * one: a new token for the same Hex workspace.
     */
    public Uni<Created> createReconnect(ReconnectSessionRequest request) {
        LinkRequestValidator.requireBody(request);
        List<ErrorDetail> errors = new ArrayList<>();
        if (request.connectionId() == null || !Validation.isConnectionId(request.connectionId())) {
            errors.add(ErrorDetail.of("connection_id", "required: the id of an existing connection"));
        }
        if (request.integrationId() == null || request.integrationId().isEmpty()) {
            errors.add(ErrorDetail.of("integration_id", "required: '" + config.providerConfigKey() + "'"));
        }
        String preset = validate(request.endUser(), request.tags(), request.integrationsConfigDefaults(),
                request.webhookUrlOverride(), errors);
        LinkRequestValidator.refuse(errors);
        Uni<Optional<Connection>> connection = StoreException.orUnavailable(store.find(request.connectionId()))
                .map(found -> found.map(StoredConnection::connection));
        return connection.flatMap(found -> {
            if (found.isEmpty() || !config.providerConfigKey().equals(request.integrationId())) {
                throw new GatewayException(ErrorCode.INVALID_BODY, "ConnectionID or IntegrationId does not exists");
            }
            Connection c = found.get();
            return save(new ConnectSession(c.endUser() != null ? c.endUser() : request.endUser(), request.tags(),
                    preset != null ? preset : c.subdomain(), null, null, null, null,
                    emptyToNull(request.webhookUrlOverride()), c.connectionId()));
        });
    }

    /** Stores the session under the hash of a new token, with its creation and expiry times. */
    private Uni<Created> save(ConnectSession request) {
        String token = TOKEN_PREFIX + random.hex(32);
        Instant now = clock.instant().truncatedTo(ChronoUnit.MILLIS);
        String expiresAt = now.plus(config.connectSession().ttl()).toString();
        ConnectSession session = new ConnectSession(request.endUser(), request.tags(), request.presetSubdomain(),
                now.toString(), expiresAt, null, null, request.webhookUrlOverride(), request.reconnectConnectionId());
        String base = config.publicUrl().toString().replaceAll("/+$", "");
        return StoreException.orUnavailable(store.createSession(id(token), session))
                .replaceWith(new Created(token, base + "/connect?session_token=" + token, expiresAt));
    }

    private static String emptyToNull(String value) {
        return value == null || value.isEmpty() ? null : value;
    }

    /** Whether {@code token} has the form of a session token (it may still be unknown). */
    static boolean isTokenFormat(String token) {
        return token != null && TOKEN.matcher(token).matches();
    }

    public Uni<Lookup> lookup(String token) {
        if (token == null || !TOKEN.matcher(token).matches()) {
            return Uni.createFrom().item(new Lookup(State.UNKNOWN, null, null));
        }
        String id = id(token);
        return StoreException.orUnavailable(store.findSession(id)).map(found -> {
            if (found.isEmpty()) {
                return new Lookup(State.UNKNOWN, id, null);
            }
            ConnectSession session = found.get().value();
            State state = session.isUsed() ? State.USED : session.isExpired(clock.instant()) ? State.EXPIRED : State.OPEN;
            return new Lookup(state, id, found.get());
        });
    }

    /** Marks the session used by this link; false when another submission used it first (on any replica). */
    public Uni<Boolean> claim(Lookup open, String connectionId) {
        return StoreException
                .orUnavailable(store.replaceSession(open.id(), open.record().value().usedBy(connectionId, clock.instant()),
                        open.record().version()));
    }

    /** Gives a claimed session back after the link failed to store, so the end user can try again. */
    public Uni<Boolean> release(Lookup open) {
        return StoreException
                .orUnavailable(store.replaceSession(open.id(), open.record().value().unused(), open.record().version() + 1));
    }

    /** Checks what both kinds of session take; answers the preset subdomain, if the defaults name one. */
    private String validate(EndUser user, Map<String, String> tags,
            Map<String, ConnectSessionRequest.IntegrationDefaults> defaults, String webhookUrlOverride,
            List<ErrorDetail> errors) {
        if (user != null) {
            // The session's end user and tags become the connection's: the same rules as a link's (schemathesis found
            // a 300-character tag key accepted here).
            LinkRequestValidator.checkEndUser(user, errors);
        }
        LinkRequestValidator.checkTags("tags", tags, errors);
        String key = config.providerConfigKey();
        String subdomain = null;
        if (defaults != null) {
            for (var entry : defaults.entrySet()) {
                if (!key.equals(entry.getKey())) {
                    errors.add(ErrorDetail.of("integrations_config_defaults",
                            "unknown integration; this gateway serves '" + key + "'"));
                } else if (entry.getValue() != null && entry.getValue().connectionConfig() != null) {
                    subdomain = entry.getValue().connectionConfig().subdomain();
                    if (subdomain != null && !Validation.isSubdomain(subdomain)) {
                        errors.add(ErrorDetail.of("integrations_config_defaults." + key + ".connection_config.subdomain",
                                "must be one lower-case DNS label such as app, eu or your single-tenant name"));
                    }
                }
            }
        }
        links.checkWebhookUrl(webhookUrlOverride, errors);
        return subdomain;
    }

    static String id(String token) {
        return Hashes.sha256Hex(token);
    }

}
