package dev.hexgate.config;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;

import org.eclipse.microprofile.config.spi.ConfigSource;

import io.smallrye.config.ConfigSourceContext;
import io.smallrye.config.ConfigSourceFactory;
import io.smallrye.config.ConfigValue;
import io.smallrye.config.PropertiesConfigSource;

/**
 * hexgate's TLS variables as Quarkus TLS registry configurations. {@code HEXGATE_TLS_CERT} and {@code HEXGATE_TLS_KEY} (PEM
 * files) become HTTPS on the main listener: a named configuration {@value #NAME} with the pair, reloaded every
 * {@code HEXGATE_TLS_RELOAD_EVERY} (a renewed certificate is served without a restart), and plain HTTP switched off.
 * {@code HEXGATE_UPSTREAM_TRUST_CERTS} (PEM files) become the trust store of the {@code upstream} configuration that the
 * client towards Hex uses. Its ordinal sits below the environment and system properties, so an operator's own
 * {@code QUARKUS_HTTP_*} or {@code QUARKUS_TLS_*} settings still win.
 */
public class TlsConfigSource implements ConfigSourceFactory {

    static final String NAME = "hexgate-https";
    /** The configuration whose trust store the client towards Hex uses ({@code UpstreamClient}). */
    public static final String UPSTREAM = "upstream";
    private static final int ORDINAL = 245;

    @Override
    public Iterable<ConfigSource> getConfigSources(ConfigSourceContext context) {
        Map<String, String> properties = new HashMap<>();
        String cert = value(context, "hexgate.tls.cert");
        String key = value(context, "hexgate.tls.key");
        // One without the other is refused at start-up by ConsistentConfig, naming both variables.
        if (cert != null && key != null) {
            String reload = value(context, "hexgate.tls.reload-every");
            String prefix = "quarkus.tls." + NAME + ".";
            properties.put(prefix + "key-store.pem.main.cert", cert);
            properties.put(prefix + "key-store.pem.main.key", key);
            properties.put(prefix + "reload-period", reload == null ? HexgateConfig.Tls.DEFAULT_RELOAD : reload);
            properties.put("quarkus.http.tls-configuration-name", NAME);
            properties.put("quarkus.http.insecure-requests", "disabled");
        }
        String upstreamTrust = value(context, "hexgate.upstream.trust-certs");
        if (upstreamTrust != null) {
            properties.put("quarkus.tls." + UPSTREAM + ".trust-store.pem.certs", upstreamTrust);
        }
        return properties.isEmpty() ? List.of()
                : List.of(new PropertiesConfigSource(properties, "hexgate TLS (HEXGATE_TLS_*, HEXGATE_UPSTREAM_TRUST_CERTS)",
                        ORDINAL));
    }

    private static String value(ConfigSourceContext context, String name) {
        ConfigValue value = context.getValue(name);
        return value == null || value.getValue() == null || value.getValue().isBlank() ? null : value.getValue();
    }

    @Override
    public OptionalInt getPriority() {
        return OptionalInt.of(ORDINAL);
    }
}
