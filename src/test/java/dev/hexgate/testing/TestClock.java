package dev.hexgate.testing;

import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;

import jakarta.inject.Singleton;

import io.quarkus.test.Mock;

/**
 * The gateway's clock in {@code @QuarkusTest}s: the system clock plus an offset a test moves forward, so that "30 seconds
 * later" costs no waiting. Tests that move it put it back with {@link #reset()}.
 */
@Mock
@Singleton
public class TestClock implements InstantSource {

    private volatile Duration offset = Duration.ZERO;

    @Override
    public Instant instant() {
        return Instant.now().plus(offset);
    }

    @Override
    public long millis() {
        return System.currentTimeMillis() + offset.toMillis();
    }

    public void advance(Duration by) {
        offset = offset.plus(by);
    }

    public void reset() {
        offset = Duration.ZERO;
    }
}
