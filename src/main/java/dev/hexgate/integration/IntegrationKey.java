package dev.hexgate.integration;

import jakarta.enterprise.context.ApplicationScoped;

import dev.hexgate.config.HexgateConfig;
import dev.hexgate.error.ErrorCode;
import dev.hexgate.error.GatewayException;

/** The one integration this gateway serves ({@code HEXGATE_PROVIDER_CONFIG_KEY}, default {@code hex}) and its check. */
@ApplicationScoped
public class IntegrationKey {

    private final String key;

    public IntegrationKey(HexgateConfig config) {
        this.key = config.providerConfigKey();
    }

    public String value() {
        return key;
    }

    public boolean is(String presented) {
        return key.equals(presented);
    }

    /** Refuses a key naming another integration with 404 {@code unknown_provider_config}; an absent or empty one passes. */
    public void requireIfPresent(String presented, String what) {
        if (presented != null && !presented.isEmpty() && !key.equals(presented)) {
            throw new GatewayException(ErrorCode.UNKNOWN_PROVIDER_CONFIG,
                    "Unknown " + what + "; this gateway serves '" + key + "'.");
        }
    }
}
