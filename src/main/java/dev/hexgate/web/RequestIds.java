package dev.hexgate.web;

import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import org.jboss.logging.MDC;

import dev.hexgate.error.Redaction;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;

/**
 * Gives every request an id and every response an {@code X-Request-Id}: the caller's when it is a sane token, else a new
 * UUID. Mounted first on the router, so gateway errors, Quarkus REST and proxied responses all carry it, and so does every
 * log line written while serving the request ({@code request_id=} in the log format).
 */
@ApplicationScoped
public class RequestIds {

    public static final String HEADER = "X-Request-Id";
    static final int ORDER = -100;
    private static final String KEY = "hexgate.request-id";
    /** The log format's {@code %X{requestId}}. */
    static final String MDC_KEY = "requestId";
    private static final int MAX_LENGTH = 200;

    void mount(@Observes Router router) {
        router.route().order(ORDER).handler(this::assign);
    }

    private void assign(RoutingContext rc) {
        String id = accept(rc.request().getHeader(HEADER));
        rc.put(KEY, id);
        // Kept with the request's own Vert.x context (Quarkus's MDC provider), so every line logged for it carries the id.
        MDC.put(MDC_KEY, id);
        rc.addHeadersEndHandler(v -> rc.response().headers().set(HEADER, id));
        rc.next();
    }

    public static String of(RoutingContext rc) {
        String id = rc.get(KEY);
        return id != null ? id : newId();
    }

    /** A random (version 4) UUID from the thread's generator: request ids need to be unique, not secret. */
    static String newId() {
        ThreadLocalRandom random = ThreadLocalRandom.current();
        long msb = (random.nextLong() & ~0xF000L) | 0x4000L;
        long lsb = (random.nextLong() & 0x3FFFFFFFFFFFFFFFL) | 0x8000000000000000L;
        return new UUID(msb, lsb).toString();
    }

    /**
     * Printable ASCII without spaces, at most 200 characters, not shaped like a token; anything else is replaced, never echoed.
     */
    static String accept(String presented) {
        if (presented == null || presented.isEmpty() || presented.length() > MAX_LENGTH
                || !presented.equals(Redaction.redact(presented))) {
            return newId();
        }
        for (int i = 0; i < presented.length(); i++) {
            char c = presented.charAt(i);
            if (c <= 0x20 || c >= 0x7f) {
                return newId();
            }
        }
        return presented;
    }
}
