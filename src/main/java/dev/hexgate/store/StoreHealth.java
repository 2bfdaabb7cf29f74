package dev.hexgate.store;

import jakarta.enterprise.context.ApplicationScoped;

import org.eclipse.microprofile.health.HealthCheckResponse;

import io.smallrye.health.api.AsyncHealthCheck;
import io.smallrye.health.api.HealthGroup;
import io.smallrye.mutiny.Uni;

/**
 * {@code /q/health/group/store}: whether the connection store answers right now, nothing else considered. Readiness
 * ({@link StoreReadiness}) tolerates a short store outage; this group and {@code hexgate_store_up} do not.
 */
@HealthGroup("store")
@ApplicationScoped
public class StoreHealth implements AsyncHealthCheck {

    private final StoreProbe probe;

    public StoreHealth(StoreProbe probe) {
        this.probe = probe;
    }

    @Override
    public Uni<HealthCheckResponse> call() {
        return probe.check()
                .map(failure -> failure == null ? probe.up() : probe.failed(false, failure, probe.cached()).build());
    }
}
