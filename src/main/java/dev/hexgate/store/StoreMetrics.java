package dev.hexgate.store;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import jakarta.enterprise.context.ApplicationScoped;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.smallrye.mutiny.Uni;

/**
 * {@code hexgate_store_operations} (timer: op, outcome) for both stores: {@code ok} when the store answered (a
 * not-found included), {@code error} when it failed ({@link StoreException}); and {@code hexgate_store_up}.
 */
@ApplicationScoped
public class StoreMetrics {

    private final MeterRegistry registry;
    private final ConcurrentHashMap<String, Timer> timers = new ConcurrentHashMap<>();
    private final AtomicInteger up = new AtomicInteger(1);

    public StoreMetrics(MeterRegistry registry) {
        this.registry = registry;
        Gauge.builder("hexgate.store.up", up, AtomicInteger::get)
                .description("1 while the connection store answers, 0 from its first failure until it answers again")
                .register(registry);
    }

    void up(boolean answering) {
        up.set(answering ? 1 : 0);
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
