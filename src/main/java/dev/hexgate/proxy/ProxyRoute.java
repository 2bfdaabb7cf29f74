package dev.hexgate.proxy;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import dev.hexgate.web.RequestIds;
import io.vertx.core.AsyncResult;
import io.vertx.core.Future;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;

/**
 * {@code <ANY METHOD> /proxy/<path>}, mounted on the Vert.x router ahead of Quarkus's body-size handler and with no body
 * handler, so bodies stream. Each request passes these steps in this order; any of them may refuse it, and then Hex is
 * never contacted:
 * <ol>
 * <li>{@link AuthenticateCaller} — the secret key;
 * <li>{@link CheckControlHeaders} — {@code Connection-Id}, {@code Provider-Config-Key}, retry headers, the path;
 * <li>{@link CheckDeclaredSize} — a declared body over the limit;
 * <li>{@link AnswerContinue} — {@code 100 Continue} for a caller that waits for it;
 * <li>{@link ResolveConnection} — the token (cache, then store);
 * <li>{@link BuildOrigin} — the host, from the stored subdomain;
 * <li>then {@link ReverseProxy} forwards it with the header policy, retries and streaming both ways.
 * </ol>
 * Hex's answer goes back through the steps in reverse ({@link ProxyStep#onUpstreamResponse}).
 */
@ApplicationScoped
public class ProxyRoute {

    static final int ORDER = -90;

    private final ProxyStep[] steps;
    private final ReverseProxy reverseProxy;
    private final ProxyRefusals refusals;

    ProxyRoute(AuthenticateCaller authenticate, CheckControlHeaders controlHeaders, CheckDeclaredSize declaredSize,
            AnswerContinue answerContinue, ResolveConnection resolve, BuildOrigin origin, ReverseProxy reverseProxy,
            ProxyRefusals refusals) {
        this.steps = new ProxyStep[] { authenticate, controlHeaders, declaredSize, answerContinue, resolve, origin };
        this.reverseProxy = reverseProxy;
        this.refusals = refusals;
    }

    void mount(@Observes Router router) {
        router.route().order(ORDER).handler(this::handle);
    }

    private void handle(RoutingContext rc) {
        HttpServerRequest request = rc.request();
        // Matched on the raw path: the router's normalised path would hide '..' segments from the checks.
        if (!isProxyPath(request.path())) {
            rc.next();
            return;
        }
        // Nothing is read until the request is allowed to reach Hex.
        request.pause();
        proceed(new ProxyContext(request, RequestIds.of(rc), steps), 0);
    }

    /** {@code /proxy} and what is under it, matched on the raw path. */
    static boolean isProxyPath(String path) {
        return path != null && path.startsWith(CheckControlHeaders.PREFIX)
                && (path.length() == CheckControlHeaders.PREFIX.length()
                        || path.charAt(CheckControlHeaders.PREFIX.length()) == '/');
    }

    /** Runs the steps from {@code from} on; a step that is already complete (the usual case) costs no callback. */
    private void proceed(ProxyContext ctx, int from) {
        for (int i = from; i < steps.length; i++) {
            Future<Void> outcome = steps[i].apply(ctx);
            if (!outcome.isComplete()) {
                int next = i + 1;
                outcome.onComplete(done -> resume(ctx, done, next));
                return;
            }
            if (outcome.failed()) {
                refusals.refuse(ctx, outcome.cause());
                return;
            }
        }
        reverseProxy.forward(ctx);
    }

    private void resume(ProxyContext ctx, AsyncResult<Void> done, int next) {
        if (done.failed()) {
            refusals.refuse(ctx, done.cause());
        } else {
            proceed(ctx, next);
        }
    }
}
