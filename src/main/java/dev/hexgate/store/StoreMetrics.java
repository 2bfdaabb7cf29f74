package dev.hexgate.store;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

import jakarta.enterprise.context.ApplicationScoped;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.smallrye.mutiny.Uni;

/**
 * {@code hexgate_store_operations} (timer: op, outcome) for both stores: {@code ok} when the store answered (a
 * not-found included), {@code error} when it failed ({@link StoreException}).
 */
@ApplicationScoped
public class StoreMetrics {

    private final MeterRegistry registry;
    private final ConcurrentHashMap<String, Timer> timers = new ConcurrentHashMap<>();

    public StoreMetrics(MeterRegistry registry) {
        this.registry = registry;
    }

    public <T> Uni<T> timed(String op, Uni<T> operation) {
        return Uni.createFrom().deferred(() -> {
            long started = System.nanoTime();
            return operation
                    .onItem().invoke(() -> record(op, "ok", started))
                    .onFailure().invoke(e -> record(op, e instanceof StoreException ? "error" : "ok", started));
        });
    }

    private void record(String op, String outcome, long started) {
        timers.computeIfAbsent(op + "/" + outcome, k -> Timer.builder("hexgate.store.operations")
                .description("Connection store operations").tag("op", op).tag("outcome", outcome).register(registry))
                .record(System.nanoTime() - started, TimeUnit.NANOSECONDS);
    }
}
