package dev.hexgate.testing;

import java.io.InputStream;
import java.util.Arrays;

/** A request body that arrives slowly: {@code chunks} runs of {@code size} bytes, each after a pause of {@code pauseMs}. */
public final class Trickle extends InputStream {

    private final int size;
    private final long pauseMs;
    private int chunksLeft;
    private int leftInChunk;

    public Trickle(int chunks, int size, long pauseMs) {
        this.chunksLeft = chunks;
        this.size = size;
        this.pauseMs = pauseMs;
    }

    @Override
    public int read() {
        throw new UnsupportedOperationException("read in chunks");
    }

    @Override
    public int read(byte[] b, int off, int len) {
        if (leftInChunk == 0) {
            if (chunksLeft == 0) {
                return -1;
            }
            try {
                Thread.sleep(pauseMs);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return -1;
            }
            chunksLeft--;
            leftInChunk = size;
        }
        int n = Math.min(len, leftInChunk);
        Arrays.fill(b, off, off + n, (byte) 'x');
        leftInChunk -= n;
        return n;
    }
}
