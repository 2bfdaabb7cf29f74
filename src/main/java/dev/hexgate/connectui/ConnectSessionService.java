package dev.hexgate.connectui;

import java.time.Instant;
import java.time.InstantSource;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

import jakarta.enterprise.context.ApplicationScoped;

import dev.hexgate.config.HexgateConfig;
import dev.hexgate.connection.LinkRequestValidator;
import dev.hexgate.domain.ConnectSession;
import dev.hexgate.domain.EndUser;
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
        String subdomain = validate(request);
        String token = TOKEN_PREFIX + random.hex(32);
        Instant now = clock.instant().truncatedTo(ChronoUnit.MILLIS);
        String expiresAt = now.plus(config.connectSession().ttl()).toString();
        ConnectSession session = new ConnectSession(request.endUser(), request.tags() == null ? Map.of() : request.tags(),
                subdomain, now.toString(), expiresAt, null, null,
                request.webhookUrlOverride() == null || request.webhookUrlOverride().isEmpty() ? null
                        : request.webhookUrlOverride());
        String base = config.publicUrl().toString().replaceAll("/+$", "");
        return StoreException.orUnavailable(store.createSession(id(token), session))
                .replaceWith(new Created(token, base + "/connect?session_token=" + token, expiresAt));
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

    private String validate(ConnectSessionRequest request) {
        if (request == null) {
            throw new GatewayException(ErrorCode.INVALID_BODY, "A JSON body is required.");
        }
        List<ErrorDetail> errors = new ArrayList<>();
        EndUser user = request.endUser();
        if (user == null) {
            errors.add(ErrorDetail.of("end_user.id", "required, 1 to 255 characters"));
        } else {
            // The session's end user and tags become the connection's: the same rules as a link's (schemathesis found
            // a 300-character tag key accepted here).
            LinkRequestValidator.checkEndUser(user, errors);
        }
        LinkRequestValidator.checkTags("tags", request.tags(), errors);
        String key = config.providerConfigKey();
        if (request.allowedIntegrations() != null && request.allowedIntegrations().stream().anyMatch(i -> !key.equals(i))) {
            errors.add(ErrorDetail.of("allowed_integrations", "this gateway only serves '" + key + "'"));
        }
        String subdomain = null;
        if (request.integrationsConfigDefaults() != null) {
            for (var entry : request.integrationsConfigDefaults().entrySet()) {
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
        links.checkWebhookUrl(request.webhookUrlOverride(), errors);
        if (!errors.isEmpty()) {
            throw new GatewayException(ErrorCode.INVALID_BODY, "The request body failed validation.", errors);
        }
        return subdomain;
    }

    static String id(String token) {
        return Hashes.sha256Hex(token);
    }

}
