package dev.hexgate.testing;

import java.lang.management.ManagementFactory;

/** Live heap after a full collection: what the JVM holds on to, not garbage. */
public final class Heap {

    private Heap() {
    }

    public static long liveBytes() {
        for (int i = 0; i < 2; i++) {
            System.gc();
        }
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    }
}
