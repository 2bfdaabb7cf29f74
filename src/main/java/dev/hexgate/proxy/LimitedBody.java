package dev.hexgate.proxy;

import io.vertx.core.Handler;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.streams.ReadStream;

/**
 * The caller's request body as it streams to Hex: cut off with an error once it passes the size limit, stopped for good
 * when the exchange fails, and reporting each chunk and its end so the exchange can time the caller and then Hex.
 */
final class LimitedBody implements ReadStream<Buffer> {

    /** The body passed {@code HEXGATE_PROXY_MAX_BODY_SIZE}. */
    static final class TooLarge extends RuntimeException {
        TooLarge() {
            super("request body too large", null, false, false);
        }
    }

    /** What the exchange learns about the body as it flows; every call is on the request's event loop. */
    interface Progress {
        /** Passed the limit: must cancel the upstream request (it runs before the stream reports its failure). */
        void exceeded();

        /** A chunk arrived from the caller. */
        void chunk();

        /** The caller sent the last byte. */
        void ended();
    }

    private final ReadStream<Buffer> source;
    private final long limit;
    private final Progress progress;
    private long seen;
    private boolean exceeded;
    private boolean stopped;
    private Handler<Throwable> exceptionHandler;

    LimitedBody(ReadStream<Buffer> source, long limit, Progress progress) {
        this.source = source;
        this.limit = limit;
        this.progress = progress;
    }

    boolean exceeded() {
        return exceeded;
    }

    /**
     * The exchange is over: nothing more is read from the caller nor passed on (a late chunk would be written into a
     * finished upstream request). The caller's connection is closed by the error answer.
     */
    void stop() {
        stopped = true;
        source.pause();
    }

    @Override
    public ReadStream<Buffer> exceptionHandler(Handler<Throwable> handler) {
        this.exceptionHandler = handler;
        source.exceptionHandler(handler);
        return this;
    }

    @Override
    public ReadStream<Buffer> handler(Handler<Buffer> handler) {
        if (handler == null) {
            source.handler(null);
            return this;
        }
        source.handler(chunk -> {
            if (exceeded || stopped) {
                return;
            }
            seen += chunk.length();
            if (seen > limit) {
                exceeded = true;
                source.pause();
                // A pipe ends its destination when the source fails; the upstream request must be reset before that,
                // or Hex would receive a truncated body as a complete one.
                progress.exceeded();
                if (exceptionHandler != null) {
                    exceptionHandler.handle(new TooLarge());
                }
                return;
            }
            progress.chunk();
            handler.handle(chunk);
        });
        return this;
    }

    @Override
    public ReadStream<Buffer> pause() {
        source.pause();
        return this;
    }

    @Override
    public ReadStream<Buffer> resume() {
        if (!exceeded && !stopped) {
            source.resume();
        }
        return this;
    }

    @Override
    public ReadStream<Buffer> fetch(long amount) {
        if (!exceeded && !stopped) {
            source.fetch(amount);
        }
        return this;
    }

    @Override
    public ReadStream<Buffer> endHandler(Handler<Void> endHandler) {
        if (endHandler == null) {
            source.endHandler(null);
            return this;
        }
        source.endHandler(v -> {
            if (stopped) {
                return;
            }
            progress.ended();
            endHandler.handle(v);
        });
        return this;
    }
}
