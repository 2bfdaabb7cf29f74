package dev.hexgate.web;

import java.util.concurrent.TimeUnit;

import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.netty.util.concurrent.EventExecutor;
import io.quarkus.runtime.StartupEvent;
import io.vertx.core.Vertx;

/**
 * {@code hexgate_event_loop_delay_seconds}: how late a task scheduled on each Vert.x event loop every
 * {@value #EVERY_MS} ms runs. A loop kept busy by blocking code or a flood of work shows here long before Vert.x's
 * blocked-thread warning (two seconds); its {@code _max} is the worst lateness of the last minute or so.
 */
@ApplicationScoped
public class EventLoopDelay {

    static final long EVERY_MS = 100;

    private final Vertx vertx;
    private final Timer delay;
    private volatile boolean stopped;

    public EventLoopDelay(Vertx vertx, MeterRegistry registry) {
        this.vertx = vertx;
        this.delay = Timer.builder("hexgate.event.loop.delay")
                .description("How late a periodic task runs on the Vert.x event loops").register(registry);
    }

    void start(@Observes StartupEvent event) {
        for (EventExecutor loop : vertx.nettyEventLoopGroup()) {
            schedule(loop);
        }
    }

    @PreDestroy
    void stop() {
        stopped = true;
    }

    /** One probe: when it runs, its lateness is recorded and the next one is scheduled from then. */
    private void schedule(EventExecutor loop) {
        long due = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(EVERY_MS);
        loop.schedule(() -> {
            delay.record(Math.max(0, System.nanoTime() - due), TimeUnit.NANOSECONDS);
            if (!stopped && !loop.isShuttingDown()) {
                schedule(loop);
            }
        }, EVERY_MS, TimeUnit.MILLISECONDS);
    }
}
