package dev.hexgate.store;

import java.time.Instant;
import java.time.InstantSource;

import jakarta.enterprise.context.ApplicationScoped;

import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.HealthCheckResponseBuilder;
import org.eclipse.microprofile.health.Readiness;

import dev.hexgate.config.HexgateConfig;
import io.smallrye.health.api.AsyncHealthCheck;
import io.smallrye.mutiny.Uni;

/**
 * {@code /q/health/ready}: UP while this replica can serve. That is while the connection store answers, and also while
 * it has failed for less than {@code HEXGATE_TOKEN_CACHE_STALE_IF_ERROR} or this replica still holds usable tokens: a
 * Vault leader election must not take every replica out of the Service exactly when the stale-if-error cache is there
 * to carry the traffic. The store's own state is reported in the check's data, by {@link StoreHealth} (the {@code store}
 * health group) and by the {@code hexgate_store_up} gauge, which is what to alert on.
 */
@Readiness
@ApplicationScoped
public class StoreReadiness implements AsyncHealthCheck {

    private final StoreProbe probe;
    private final InstantSource clock;
    private final long graceMillis;

    public StoreReadiness(StoreProbe probe, InstantSource clock, HexgateConfig config) {
        this.probe = probe;
        this.clock = clock;
        this.graceMillis = config.tokenCache().staleIfError().toMillis();
    }

    @Override
    public Uni<HealthCheckResponse> call() {
        return probe.check().map(failure -> {
            if (failure == null) {
                return probe.up();
            }
            long since = probe.failingSince();
            long cached = probe.cached();
            // since < 0: the store answered another operation after this check failed, or only the check's own timeout
            // has fired so far; either way the outage is not older than the grace.
            boolean canServe = since < 0 || clock.millis() - since < graceMillis || cached > 0;
            HealthCheckResponseBuilder response = probe.failed(canServe, failure, cached);
            if (since >= 0) {
                response.withData("store_failing_since", Instant.ofEpochMilli(since).toString());
            }
            return response.build();
        });
    }
}
