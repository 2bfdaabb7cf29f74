package dev.hexgate.store;

import java.time.InstantSource;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import jakarta.enterprise.context.ApplicationScoped;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.smallrye.mutiny.Uni;

/**
 * {@code hexgate_store_operations} (timer: op, outcome) for both stores: {@code ok} when the store answered (a
 * not-found included), {@code error} when it failed ({@link StoreException}); and {@code hexgate_store_up}, with since when
 * the store has been failing (for readiness).
 */
@ApplicationScoped
public class StoreMetrics {

    private final MeterRegistry registry;
    private final ConcurrentHashMap<String, Timer> timers = new ConcurrentHashMap<>();
    private final AtomicInteger up = new AtomicInteger(1);
    /** Epoch millis of the first failure of the current outage, or -1 while the store answers. */
    private final AtomicLong downSince = new AtomicLong(-1);
    private final InstantSource clock;

    public StoreMetrics(MeterRegistry registry, InstantSource clock) {
        this.registry = registry;
        this.clock = clock;
        Gauge.builder("hexgate.store.up", up, AtomicInteger::get)
                .description("1 while the connection store answers, 0 from its first failure until it answers again")
                .register(registry);
    }

    void up(boolean answering) {
        up.set(answering ? 1 : 0);
        if (answering) {
            downSince.set(-1);
        } else if (downSince.get() < 0) {
            downSince.compareAndSet(-1, clock.millis());
        }
    }

    /** When the current store outage began (epoch millis), or -1 while the store answers. */
    long downSince() {
        return downSince.get();
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
