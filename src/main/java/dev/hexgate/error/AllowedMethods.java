package dev.hexgate.error;

import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The methods each backend and Connect UI route takes, for the {@code Allow} header RFC 9110 requires on a 405 (Quarkus
 * REST sends none). {@code OperationsTest} checks this table against the resources' own annotations, so it cannot drift.
 */
public final class AllowedMethods {

    private record Route(Pattern path, String methods) {
    }

    private static final List<Route> ROUTES = List.of(
            new Route(Pattern.compile("/connections/?"), "GET, HEAD, POST, OPTIONS"),
            // setMetadata and updateMetadata; GET and DELETE are those of a connection named "metadata" (none can be linked).
            new Route(Pattern.compile("/connections/metadata/?"), "GET, HEAD, POST, PATCH, DELETE, OPTIONS"),
            new Route(Pattern.compile("/connections/[^/]+/?"), "GET, HEAD, PATCH, DELETE, OPTIONS"),
            new Route(Pattern.compile("/connect/sessions/?"), "POST, OPTIONS"),
            new Route(Pattern.compile("/connect/sessions/reconnect/?"), "POST, OPTIONS"),
            new Route(Pattern.compile("/connect/session/?"), "GET, HEAD, OPTIONS"),
            new Route(Pattern.compile("/connect/open/?"), "POST, OPTIONS"),
            new Route(Pattern.compile("/connect/?"), "GET, HEAD, POST, OPTIONS"),
            new Route(Pattern.compile("/api-auth/api-key/[^/]+/?"), "POST, OPTIONS"),
            new Route(Pattern.compile("/integrations/?"), "GET, HEAD, OPTIONS"),
            new Route(Pattern.compile("/integrations/[^/]+/?"), "GET, HEAD, OPTIONS"));

    private AllowedMethods() {
    }

    /** The {@code Allow} value of the route at {@code path}, if it is one of the gateway's. */
    public static Optional<String> of(String path) {
        return ROUTES.stream().filter(r -> r.path().matcher(path).matches()).map(Route::methods).findFirst();
    }
}
