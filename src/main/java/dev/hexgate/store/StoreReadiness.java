package dev.hexgate.store;

import java.time.Duration;

import jakarta.enterprise.context.ApplicationScoped;

import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

import io.smallrye.health.api.AsyncHealthCheck;
import io.smallrye.mutiny.Uni;

/**
 * {@code /q/health/ready}: UP while the connection store answers. While it does not, the replica reports DOWN so new
 * traffic goes to replicas that can link and resolve connections, even though it keeps serving cached tokens itself.
 */
@Readiness
@ApplicationScoped
public class StoreReadiness implements AsyncHealthCheck {

    private static final Duration TIMEOUT = Duration.ofSeconds(3);

    private final ConnectionStore store;
    private final TokenCache cache;

    public StoreReadiness(ConnectionStore store, TokenCache cache) {
        this.store = store;
        this.cache = cache;
    }

    @Override
    public Uni<HealthCheckResponse> call() {
        return store.check()
                .ifNoItem().after(TIMEOUT).failWith(() -> new StoreException("store check timed out"))
                .map(ok -> HealthCheckResponse.named("connection-store").up().withData("store", store.kind()).build())
                .onFailure().recoverWithItem(e -> HealthCheckResponse.named("connection-store").down()
                        .withData("store", store.kind())
                        // Still proxied from cache, within HEXGATE_TOKEN_CACHE_STALE_IF_ERROR:
                        .withData("cached_connections", cache.size())
                        .withData("reason", StoreException.describe(e))
                        .build());
    }
}
