package dev.hexgate.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.Test;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;

/** The retry buffer budget is shared and exact: reservations never exceed it, even when many requests race for it. */
class RetryBuffersTest {

    private static RetryBuffers budget(long total) {
        return new RetryBuffers(total, new SimpleMeterRegistry());
    }

    @Test
    void aBodyThatDoesNotFitIsRefusedAndReleasedBytesCanBeTakenAgain() {
        RetryBuffers buffers = budget(3L * 1024 * 1024);
        assertTrue(buffers.reserve(1024 * 1024));
        assertTrue(buffers.reserve(2 * 1024 * 1024));
        assertFalse(buffers.reserve(1), "the budget is used up");
        buffers.release(1024 * 1024);
        assertTrue(buffers.reserve(1024 * 1024));
        assertEquals(3 * 1024 * 1024, buffers.used());
    }

    @Test
    void threeHundredParallelMegabyteBodiesNeverTakeMoreThanTheBudget() throws Exception {
        RetryBuffers buffers = budget(64L * 1024 * 1024);
        ExecutorService pool = Executors.newFixedThreadPool(16);
        CountDownLatch go = new CountDownLatch(1);
        AtomicInteger granted = new AtomicInteger();
        for (int i = 0; i < 300; i++) {
            pool.execute(() -> {
                try {
                    go.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                if (buffers.reserve(1024 * 1024)) {
                    granted.incrementAndGet();
                }
            });
        }
        go.countDown();
        pool.shutdown();
        assertTrue(pool.awaitTermination(10, TimeUnit.SECONDS));
        assertEquals(64, granted.get());
        assertEquals(64L * 1024 * 1024, buffers.used());
    }
}
