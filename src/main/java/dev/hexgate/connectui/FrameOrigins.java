package dev.hexgate.connectui;

import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

import jakarta.enterprise.context.ApplicationScoped;

import dev.hexgate.config.HexgateConfig;

/**
 * The origins of {@code HEXGATE_CONNECT_FRAME_ANCESTORS}: the web apps that may frame the Connect page, that the page
 * talks to by {@code postMessage}, and that get CORS on the two browser-facing routes. None by default.
 */
@ApplicationScoped
public class FrameOrigins {

    private final List<String> origins;
    private final Set<String> lookup;

    public FrameOrigins(HexgateConfig config) {
        this.origins = List.copyOf(config.connectFrameAncestors().orElse(List.of()));
        this.lookup = Set.copyOf(origins);
    }

    public boolean any() {
        return !origins.isEmpty();
    }

    /** Whether a browser's {@code Origin} header names one of them (exact match, as browsers send it). */
    public boolean allows(String origin) {
        return origin != null && lookup.contains(origin);
    }

    /** The CSP {@code frame-ancestors} source list. */
    public String frameAncestors() {
        return origins.isEmpty() ? "'none'" : String.join(" ", origins);
    }

    /** A JSON array of the origins for the page's script; the configuration's pattern admits no quote or backslash. */
    public String json() {
        return origins.stream().map(o -> "\"" + o + "\"").collect(Collectors.joining(",", "[", "]"));
    }
}
