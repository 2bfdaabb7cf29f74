package dev.hexgate.config;

import java.util.List;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.interceptor.Interceptor;

import io.quarkus.runtime.Startup;
import io.quarkus.runtime.configuration.ConfigUtils;
import io.smallrye.config.SmallRyeConfig;

/**
 * Start-up refusals that depend on the profile. Outside dev and test, connect links must point somewhere end users can
 * reach: {@code HEXGATE_PUBLIC_URL} left at its {@code http://localhost:8080} default stops the start. Setting it to a
 * local address on purpose (trying the packaged app on one machine) is allowed.
 */
@Startup(Interceptor.Priority.PLATFORM_BEFORE) // before anything touches the store or opens a port
@ApplicationScoped
public class ProductionChecks {

    public ProductionChecks(SmallRyeConfig config) {
        List<String> profiles = ConfigUtils.getProfiles();
        // Mapping defaults live in the config source with the lowest ordinal; anything a user set ranks above it.
        boolean defaulted = config.getConfigValue("hexgate.public-url").getConfigSourceOrdinal() == Integer.MIN_VALUE;
        if (defaulted && !profiles.contains("dev") && !profiles.contains("test")) {
            throw new IllegalStateException("HEXGATE_PUBLIC_URL is not set (its default, http://localhost:8080, is for dev"
                    + " mode): set it to the URL end users reach hexgate on, e.g. https://hexgate.example.com");
        }
    }
}
