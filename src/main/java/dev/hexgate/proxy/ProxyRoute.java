package dev.hexgate.proxy;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import org.jboss.logging.Logger;

import dev.hexgate.audit.AuditLog;
import dev.hexgate.auth.AuthThrottle;
import dev.hexgate.auth.SecretKeys;
import dev.hexgate.config.HexgateConfig;
import dev.hexgate.domain.StoredConnection;
import dev.hexgate.error.ErrorCode;
import dev.hexgate.error.ErrorResponses;
import dev.hexgate.error.GatewayException;
import dev.hexgate.hex.HexHost;
import dev.hexgate.hex.HexOrigin;
import dev.hexgate.store.StoreException;
import dev.hexgate.store.TokenCache;
import dev.hexgate.web.RequestIds;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;

/**
 * {@code <ANY METHOD> /proxy/<path>} mounted on the Vert.x router, ahead of Quarkus's body-size handler and with no body
 * handler, so bodies stream. The request passes these steps in order, and any step may refuse without contacting Hex:
 * 1. authenticate the secret key; 2. check control headers and path; 3. check a declared body size;
 * 4. resolve the connection (token cache, then store); 5. build the origin from the stored subdomain;
 * 6. forward with the header policy, retry as {@link RetryPolicy} allows, and stream both ways ({@link ProxyExchange}).
 */
@ApplicationScoped
public class ProxyRoute {

    private static final Logger LOG = Logger.getLogger(ProxyRoute.class);

    static final int ORDER = -90;

    private final Vertx vertx;
    private final SecretKeys keys;
    private final ProxyRequestCheck check;
    private final TokenCache cache;
    private final HexHost hexHost;
    private final RetryPolicy retries;
    private final ErrorResponses errors;
    private final ProxyMetrics metrics;
    private final ProxyExchange.Setup setup;
    private final AuthThrottle throttle;
    private final AuditLog audit;
    private final long maxBodySize;

    public ProxyRoute(Vertx vertx, SecretKeys keys, ProxyRequestCheck check, TokenCache cache, HexHost hexHost,
            UpstreamClient upstream, ErrorResponses errors, RetryPolicy retries, ProxyMetrics metrics, AuthThrottle throttle,
            AuditLog audit, HexgateConfig config) {
        this.throttle = throttle;
        this.audit = audit;
        this.vertx = vertx;
        this.keys = keys;
        this.check = check;
        this.cache = cache;
        this.hexHost = hexHost;
        this.retries = retries;
        this.errors = errors;
        this.metrics = metrics;
        this.maxBodySize = config.proxy().maxBodySize().asLongValue();
        this.setup = new ProxyExchange.Setup(vertx, upstream, errors, retries, metrics, maxBodySize,
                config.proxy().retryBuffer().asLongValue());
    }

    void mount(@Observes Router router) {
        router.route().order(ORDER).handler(this::handle);
    }

    private void handle(RoutingContext rc) {
        HttpServerRequest request = rc.request();
        // Matched on the raw path: the router's normalised path would hide '..' segments from the check.
        String path = request.path();
        if (path == null || !(path.equals(ProxyRequestCheck.PREFIX) || path.startsWith(ProxyRequestCheck.PREFIX + "/"))) {
            rc.next();
            return;
        }
        request.pause();
        String requestId = RequestIds.of(rc);
        long started = System.nanoTime();
        if (!authenticate(request, started)) {
            return;
        }
        try {
            ProxyTarget target = check.check(request);
            checkDeclaredSize(request);
            resolve(request, requestId, target);
        } catch (GatewayException e) {
            refuse(request, e, started);
        }
    }

    /** Step 1; a refusal is answered here (false), later and later for an address that keeps failing. */
    private boolean authenticate(HttpServerRequest request, long started) {
        String authorization = request.getHeader("Authorization");
        try {
            keys.authenticate(authorization);
            return true;
        } catch (GatewayException e) {
            audit.byKey(SecretKeys.keyId(authorization), "denied", null, e.code().code());
            AuthThrottle.Held held = throttle.refuse(request.remoteAddress().hostAddress(), e);
            if (held.delay().isZero()) {
                refuse(request, held.refusal(), started);
            } else {
                vertx.setTimer(held.delay().toMillis(), id -> refuse(request, held.refusal(), started));
            }
            return false;
        }
    }

    private void refuse(HttpServerRequest request, GatewayException e, long started) {
        metrics.proxied(request.method(), e.code().status(), e.code().code(), System.nanoTime() - started);
        errors.write(request, e);
    }

    private void resolve(HttpServerRequest request, String requestId, ProxyTarget target) {
        StoredConnection cached = cache.fresh(target.connectionId());
        if (cached != null) {
            forward(request, requestId, target, cached);
            return;
        }
        Context context = vertx.getOrCreateContext();
        long started = System.nanoTime();
        cache.get(target.connectionId()).subscribe().with(
                found -> context.runOnContext(v -> {
                    if (found.isEmpty()) {
                        refuse(request, new GatewayException(ErrorCode.UNKNOWN_CONNECTION,
                                "No connection with this Connection-Id."), started);
                    } else {
                        forward(request, requestId, target, found.get());
                    }
                }),
                failure -> context.runOnContext(v -> {
                    if (!(failure instanceof StoreException)) {
                        LOG.errorf("Resolving a connection failed: %s", failure.getClass().getName());
                    }
                    refuse(request, failure instanceof StoreException
                            ? new GatewayException(ErrorCode.STORE_UNAVAILABLE,
                                    "The connection store is unavailable and this connection is not cached.")
                            : new GatewayException(ErrorCode.SERVER_ERROR, "The gateway failed to resolve the connection."),
                            started);
                }));
    }

    private void forward(HttpServerRequest request, String requestId, ProxyTarget target, StoredConnection connection) {
        HexOrigin origin;
        try {
            origin = hexHost.origin(connection.connection().subdomain());
        } catch (IllegalArgumentException e) {
            // A record not written by hexgate (or edited in the store): never send its token anywhere.
            LOG.errorf("Connection %s holds an invalid subdomain; refusing to proxy it", target.connectionId());
            refuse(request, new GatewayException(ErrorCode.SERVER_ERROR, "The stored connection is invalid; link it again."),
                    System.nanoTime());
            return;
        }
        RetryPolicy.Plan plan = retries.plan(request.method(), request.getHeader("Retries"), request.getHeader("Retry-On"));
        new ProxyExchange(request, requestId, setup).start(origin, target.pathAndQuery(), connection.token(), plan);
    }

    private void checkDeclaredSize(HttpServerRequest request) {
        String declared = request.getHeader("Content-Length");
        if (declared == null) {
            return;
        }
        long length;
        try {
            length = Long.parseLong(declared.trim());
        } catch (NumberFormatException e) {
            throw new GatewayException(ErrorCode.INVALID_HEADERS, "Content-Length is not a number.");
        }
        if (length > maxBodySize) {
            throw new GatewayException(ErrorCode.REQUEST_TOO_LARGE,
                    "The request body is larger than the limit of " + maxBodySize + " bytes.");
        }
    }
}
