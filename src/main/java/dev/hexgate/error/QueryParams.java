package dev.hexgate.error;

import java.util.List;
import java.util.Set;
import java.util.function.Predicate;

import jakarta.ws.rs.core.MultivaluedMap;

/** Nango's strict queries: a parameter a route does not take, or one given twice, is a 400 {@code invalid_query_params}. */
public final class QueryParams {

    private QueryParams() {
    }

    /** Refuses any parameter outside {@code allowed} and any given more than once. */
    public static void requireOnly(MultivaluedMap<String, String> query, Set<String> allowed) {
        requireOnly(query, allowed, name -> false);
    }

    /** The same, also allowing the names {@code alsoAllowed} accepts (a family such as {@code tags[<key>]}). */
    public static void requireOnly(MultivaluedMap<String, String> query, Set<String> allowed, Predicate<String> alsoAllowed) {
        List<ErrorDetail> unknown = query.keySet().stream().filter(k -> !allowed.contains(k) && !alsoAllowed.test(k))
                .map(k -> ErrorDetail.of(k.length() > 64 ? k.substring(0, 64) : k, "unknown query parameter")).toList();
        if (!unknown.isEmpty()) {
            throw new GatewayException(ErrorCode.INVALID_QUERY_PARAMS, allowed.isEmpty()
                    ? "This route takes no query parameters."
                    : "Unsupported query parameter; allowed: " + String.join(", ", allowed.stream().sorted().toList()) + ".",
                    unknown);
        }
        // A parameter given twice is ambiguous (which one counts?), as a duplicated JSON key is: refused, as found by
        // schemathesis (?page=&page=x read as the default page).
        List<ErrorDetail> repeated = query.entrySet().stream().filter(e -> e.getValue().size() > 1)
                .map(e -> ErrorDetail.of(e.getKey(), "given more than once")).toList();
        if (!repeated.isEmpty()) {
            throw new GatewayException(ErrorCode.INVALID_QUERY_PARAMS, "A query parameter is given more than once.",
                    repeated);
        }
    }
}
