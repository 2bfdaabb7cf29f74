package dev.hexgate.testing;

import java.time.Duration;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import java.util.function.LongSupplier;

/** Waits for a condition with a deadline, checking it every few milliseconds. */
public final class Await {

    private Await() {
    }

    public static boolean until(BooleanSupplier condition, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                return false;
            }
            LockSupport.parkNanos(Duration.ofMillis(5).toNanos());
        }
        return true;
    }

    /**
     * Waits until {@code value} has stopped changing for {@code quiet} (a stream that back-pressure has stalled, say), and
     * answers it; fails when it is still changing after {@code timeout}.
     */
    public static long settled(LongSupplier value, Duration quiet, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        long last = value.getAsLong();
        long stableSince = System.nanoTime();
        while (System.nanoTime() - stableSince < quiet.toNanos()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("still changing after " + timeout + ": " + last);
            }
            LockSupport.parkNanos(Duration.ofMillis(20).toNanos());
            long now = value.getAsLong();
            if (now != last) {
                last = now;
                stableSince = System.nanoTime();
            }
        }
        return last;
    }
}
