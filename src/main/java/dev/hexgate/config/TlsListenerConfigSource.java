package dev.hexgate.config;

import java.util.List;
import java.util.Map;
import java.util.OptionalInt;

import org.eclipse.microprofile.config.spi.ConfigSource;

import io.smallrye.config.ConfigSourceContext;
import io.smallrye.config.ConfigSourceFactory;
import io.smallrye.config.ConfigValue;
import io.smallrye.config.PropertiesConfigSource;

/**
 * Turns {@code HEXGATE_TLS_CERT} and {@code HEXGATE_TLS_KEY} (PEM files) into HTTPS on the main listener through Quarkus's
 * TLS registry: a named configuration {@value #NAME} with the pair, reloaded every {@code HEXGATE_TLS_RELOAD_EVERY} (a
 * renewed certificate is served without a restart), and plain HTTP switched off. Its ordinal sits below the environment
 * and system properties, so an operator's own {@code QUARKUS_HTTP_*} or {@code QUARKUS_TLS_*} settings still win.
 */
public class TlsListenerConfigSource implements ConfigSourceFactory {

    static final String NAME = "hexgate-https";
    private static final int ORDINAL = 245;

    @Override
    public Iterable<ConfigSource> getConfigSources(ConfigSourceContext context) {
        String cert = value(context, "hexgate.tls.cert");
        String key = value(context, "hexgate.tls.key");
        if (cert == null || key == null) {
            // One without the other is refused at start-up by ConsistentConfig, naming both variables.
            return List.of();
        }
        String reload = value(context, "hexgate.tls.reload-every");
        String prefix = "quarkus.tls." + NAME + ".";
        Map<String, String> properties = Map.of(
                prefix + "key-store.pem.main.cert", cert,
                prefix + "key-store.pem.main.key", key,
                prefix + "reload-period", reload == null ? "1h" : reload,
                "quarkus.http.tls-configuration-name", NAME,
                "quarkus.http.insecure-requests", "disabled");
        return List.of(new PropertiesConfigSource(properties, "hexgate TLS listener (HEXGATE_TLS_*)", ORDINAL));
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
