package dev.hexgate.proxy;

import java.util.concurrent.atomic.AtomicLong;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import dev.hexgate.config.HexgateConfig;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;

/**
 * The one byte budget ({@code HEXGATE_PROXY_RETRY_BUFFER_TOTAL}) shared by every request body this replica holds for a
 * retry, so that many parallel retried uploads cannot fill the heap: a body that does not fit is streamed, with no retry.
 * Exposed as {@code hexgate_proxy_retry_buffer_bytes} and {@code hexgate_proxy_retry_buffer_exhausted_total}.
 */
@ApplicationScoped
class RetryBuffers {

    private final long total;
    private final AtomicLong used = new AtomicLong();
    private final Counter exhausted;

    @Inject
    RetryBuffers(HexgateConfig config, MeterRegistry registry) {
        this(config.proxy().retryBufferTotal().asLongValue(), registry);
    }

    RetryBuffers(long total, MeterRegistry registry) {
        this.total = total;
        Gauge.builder("hexgate.proxy.retry.buffer", used, AtomicLong::get).baseUnit("bytes")
                .description("Request bytes held for retries").register(registry);
        this.exhausted = Counter.builder("hexgate.proxy.retry.buffer.exhausted")
                .description("Retried requests streamed without retries because the retry buffer budget was used up")
                .register(registry);
    }

    /** Takes {@code bytes} from the budget, or nothing (and false) if they do not fit. */
    boolean reserve(long bytes) {
        for (;;) {
            long now = used.get();
            if (now + bytes > total) {
                exhausted.increment();
                return false;
            }
            if (used.compareAndSet(now, now + bytes)) {
                return true;
            }
        }
    }

    void release(long bytes) {
        used.addAndGet(-bytes);
    }

    long used() {
        return used.get();
    }
}
