package dev.hexgate.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HexFormat;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.hexgate.testing.Await;
import dev.hexgate.testing.FakeHex;
import dev.hexgate.testing.FakeHexResource;
import dev.hexgate.testing.Heap;
import dev.hexgate.testing.Keys;
import dev.hexgate.testing.Links;
import dev.hexgate.testing.NoSecretsInLogs;
import dev.hexgate.testing.OpenBaoResource;
import dev.hexgate.testing.RawHttp;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;

/** Bodies cross the proxy as streams: they arrive intact and the gateway's live heap never holds them. */
@QuarkusTest
@WithTestResource(OpenBaoResource.class)
@WithTestResource(FakeHexResource.class)
@ExtendWith(NoSecretsInLogs.class)
class StreamingTest {

    private static final int UPLOAD = 20 * 1000 * 1000;
    private static final long DOWNLOAD = 64L * 1024 * 1024;
    private static final HttpClient CLIENT = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    FakeHex hex;

    @BeforeEach
    void link() {
        Links.linked("stream-1", "app", hex.personalToken("app"));
    }

    @Test
    void streamsA20MegabyteChunkedUploadIntactWithoutHoldingIt() throws Exception {
        long baseline = Heap.liveBytes();
        AtomicLong atMidpoint = new AtomicLong(-1);
        hex.onUploadMidpoint(() -> atMidpoint.set(Heap.liveBytes()));
        // Halfway through, the caller stops sending until Hex has received bytes: only a streaming gateway gets past that.
        AtomicBoolean hexReceivedWhileCallerWaited = new AtomicBoolean();
        Runnable halfway = () -> hexReceivedWhileCallerWaited
                .set(Await.until(() -> hex.uploadReceived() > 0, Duration.ofSeconds(15)));
        try {
            HttpRequest request = HttpRequest.newBuilder(RawHttp.gateway("/proxy/v1/test/upload"))
                    .timeout(Duration.ofSeconds(60))
                    .header("Authorization", Keys.bearer(Keys.FULL)).header("Connection-Id", "stream-1")
                    .header("Content-Type", "application/octet-stream")
                    .header("X-Expected-Length", String.valueOf(UPLOAD))
                    .POST(HttpRequest.BodyPublishers.ofInputStream(() -> new PatternStream(UPLOAD, halfway)))
                    .build();
            HttpResponse<String> response = CLIENT.send(request, HttpResponse.BodyHandlers.ofString());
            assertEquals(200, response.statusCode(), response.body());
            JsonNode got = new ObjectMapper().readTree(response.body());
            assertEquals(UPLOAD, got.get("bytes").asLong());
            assertEquals(patternSha256(UPLOAD), got.get("sha256").asText());
            assertEquals("chunked", hex.last().header("Transfer-Encoding"));
            assertTrue(hexReceivedWhileCallerWaited.get(), "Hex received body bytes before the caller finished sending");
        } finally {
            hex.onUploadMidpoint(() -> {
            });
        }
        long growth = atMidpoint.get() - baseline;
        assertTrue(atMidpoint.get() > 0, "the midpoint probe ran");
        assertTrue(growth < UPLOAD / 2, "live heap grew by " + growth + " bytes mid-upload");
    }

    @Test
    void streamsAnUploadWithContentLength() throws Exception {
        int size = 3 * 1000 * 1000;
        byte[] body = new PatternStream(size).readAllBytes();
        HttpRequest request = HttpRequest.newBuilder(RawHttp.gateway("/proxy/v1/test/upload"))
                .header("Authorization", Keys.bearer(Keys.FULL)).header("Connection-Id", "stream-1")
                .PUT(HttpRequest.BodyPublishers.ofByteArray(body)).build();
        HttpResponse<String> response = CLIENT.send(request, HttpResponse.BodyHandlers.ofString());
        assertEquals(200, response.statusCode());
        assertEquals(String.valueOf(size), hex.last().header("Content-Length"));
        assertEquals(patternSha256(size), new ObjectMapper().readTree(response.body()).get("sha256").asText());
    }

    @Test
    void streamsA64MebibyteDownloadIntactWithoutHoldingIt() throws Exception {
        long baseline = Heap.liveBytes();
        hex.closeDownloadGate();
        long midpoint = download("/proxy/v1/test/download?hold=" + DOWNLOAD / 2 + "&bytes=" + DOWNLOAD, DOWNLOAD, true);
        assertTrue(hex.downloadGateOpenedInTime(), "the caller received bytes while Hex was still sending");
        long growth = midpoint - baseline;
        assertTrue(growth < DOWNLOAD / 4, "live heap grew by " + growth + " bytes mid-download");
    }

    @Test
    void streamsAChunkedDownloadIntact() throws Exception {
        download("/proxy/v1/test/download?chunked&bytes=" + 5_000_000, 5_000_000, false);
    }

    @Test
    void aCallerThatGoesAwayMidDownloadCancelsTheUpstreamRequest() throws Exception {
        int before = hex.abortedDownloads();
        try (Socket socket = new Socket("localhost", RawHttp.port())) {
            socket.getOutputStream().write(("GET /proxy/v1/test/download?bytes=" + (256L << 20) + " HTTP/1.1\r\nHost: x\r\n"
                    + "Authorization: " + Keys.bearer(Keys.FULL) + "\r\nConnection-Id: stream-1\r\n\r\n")
                    .getBytes(StandardCharsets.ISO_8859_1));
            socket.getInputStream().readNBytes(1 << 20);
        }
        assertTrue(Await.until(() -> hex.abortedDownloads() > before, Duration.ofSeconds(15)),
                "Hex saw its download cut off once the caller left");
        download("/proxy/v1/test/download?bytes=1000000", 1_000_000, false);
    }

    @Test
    void aCallerThatGoesAwayMidUploadCancelsTheUpstreamRequest() throws Exception {
        int before = hex.abortedUploads();
        try (Socket socket = new Socket("localhost", RawHttp.port())) {
            socket.getOutputStream().write(("POST /proxy/v1/test/upload HTTP/1.1\r\nHost: x\r\nAuthorization: "
                    + Keys.bearer(Keys.FULL) + "\r\nConnection-Id: stream-1\r\nContent-Length: 20000000\r\n"
                    + "X-Expected-Length: 20000000\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1));
            socket.getOutputStream().write(new byte[2_000_000]);
            socket.getOutputStream().flush();
            assertTrue(Await.until(() -> hex.uploadReceived() > 0, Duration.ofSeconds(15)), "the upload reached Hex");
        }
        assertTrue(Await.until(() -> hex.abortedUploads() > before, Duration.ofSeconds(15)),
                "Hex saw the upload cut off once the caller left");
    }

    @Test
    void aHexResetMidBodyIsNeverPassedOnAsACompleteResponse() throws Exception {
        // Content-Length framing only: the JDK server behind the fake Hex always ends a chunked body cleanly, so it cannot
        // break one mid-stream. Both framings take the same path in the gateway (pipe failure, then reset).
        HttpRequest request = HttpRequest.newBuilder(RawHttp.gateway("/proxy/v1/test/download?bytes=10000000&reset_at=1048576"))
                .header("Authorization", Keys.bearer(Keys.FULL)).header("Connection-Id", "stream-1").build();
        try {
            HttpResponse<byte[]> response = CLIENT.send(request, HttpResponse.BodyHandlers.ofByteArray());
            throw new AssertionError("a truncated body was delivered as complete: " + response.body().length + " bytes");
        } catch (IOException expected) {
            // the caller sees a broken response, not a short one
        }
    }

    @Test
    void aSlowCallerHoldsHexBackInsteadOfTheGatewayBuffering() throws Exception {
        long total = 256L << 20;
        try (Socket socket = new Socket("localhost", RawHttp.port())) {
            socket.setReceiveBufferSize(64 * 1024);
            socket.getOutputStream().write(("GET /proxy/v1/test/download?bytes=" + total + " HTTP/1.1\r\nHost: x\r\n"
                    + "Authorization: " + Keys.bearer(Keys.FULL) + "\r\nConnection-Id: stream-1\r\n\r\n")
                    .getBytes(StandardCharsets.ISO_8859_1));
            socket.getInputStream().readNBytes(64 * 1024);
            // The caller reads nothing more: Hex can only get as far as the socket buffers in between allow.
            long sent = Await.settled(hex::downloadSent, Duration.ofMillis(500), Duration.ofSeconds(10));
            assertTrue(sent < 64L << 20, "Hex sent " + sent + " bytes to a caller that read 64 KiB");
        }
    }

    @Test
    void streamsAGibibyteWithAFlatHeap() throws Exception {
        long size = 1L << 30;
        long baseline = Heap.liveBytes();
        long[] peak = { 0 };
        HttpRequest request = HttpRequest.newBuilder(RawHttp.gateway("/proxy/v1/test/download?bytes=" + size))
                .timeout(Duration.ofSeconds(120))
                .header("Authorization", Keys.bearer(Keys.FULL)).header("Connection-Id", "stream-1").GET().build();
        HttpResponse<InputStream> response = CLIENT.send(request, HttpResponse.BodyHandlers.ofInputStream());
        assertEquals(200, response.statusCode());
        long read = 0;
        long nextSample = size / 4;
        byte[] buf = new byte[256 * 1024];
        try (InputStream in = response.body()) {
            for (int n; (n = in.read(buf)) > 0;) {
                if (buf[0] != (byte) (read % 251) || buf[n - 1] != (byte) ((read + n - 1) % 251)) {
                    throw new AssertionError("bytes near " + read + " differ");
                }
                read += n;
                if (read >= nextSample && nextSample < size) {
                    peak[0] = Math.max(peak[0], Heap.liveBytes() - baseline);
                    nextSample += size / 4;
                }
            }
        }
        assertEquals(size, read);
        assertTrue(peak[0] < 64L << 20, "live heap grew by " + peak[0] + " bytes during a 1 GiB download");
    }

    /** Reads the body slowly enough to be sure the gateway is mid-stream when the heap is sampled; checks every byte. */
    private long download(String path, long size, boolean sample) throws IOException, InterruptedException {
        HttpRequest request = HttpRequest.newBuilder(RawHttp.gateway(path)).timeout(Duration.ofSeconds(60))
                .header("Authorization", Keys.bearer(Keys.FULL)).header("Connection-Id", "stream-1").GET().build();
        HttpResponse<InputStream> response = CLIENT.send(request, HttpResponse.BodyHandlers.ofInputStream());
        assertEquals(200, response.statusCode());
        long read = 0;
        long sampled = -1;
        byte[] buf = new byte[64 * 1024];
        try (InputStream in = response.body()) {
            for (int n; (n = in.read(buf)) > 0;) {
                for (int i = 0; i < n; i++) {
                    if (buf[i] != (byte) ((read + i) % 251)) {
                        throw new AssertionError("byte " + (read + i) + " differs");
                    }
                }
                read += n;
                if (read >= 1024 * 1024) {
                    hex.openDownloadGate();
                }
                if (sample && sampled < 0 && read >= size / 2) {
                    sampled = Heap.liveBytes();
                }
            }
        }
        assertEquals(size, read);
        return sampled;
    }

    private static String patternSha256(long size) throws Exception {
        MessageDigest md = MessageDigest.getInstance("SHA-256");
        try (InputStream in = new PatternStream(size)) {
            byte[] buf = new byte[64 * 1024];
            for (int n; (n = in.read(buf)) > 0;) {
                md.update(buf, 0, n);
            }
        }
        return HexFormat.of().formatHex(md.digest());
    }

    /** {@code size} bytes of a repeating pattern, generated on the fly; optionally runs a hook once, halfway. */
    private static final class PatternStream extends InputStream {
        private final long size;
        private final Runnable halfway;
        private long position;

        PatternStream(long size) {
            this(size, null);
        }

        PatternStream(long size, Runnable halfway) {
            this.size = size;
            this.halfway = halfway;
        }

        @Override
        public int read() {
            return position < size ? (int) (position++ % 253) : -1;
        }

        @Override
        public int read(byte[] b, int off, int len) {
            if (position >= size) {
                return -1;
            }
            long half = size / 2;
            if (halfway != null && position == half) {
                halfway.run();
            }
            long stop = halfway != null && position < half ? half : size;
            int n = (int) Math.min(len, stop - position);
            for (int i = 0; i < n; i++) {
                b[off + i] = (byte) ((position + i) % 253);
            }
            position += n;
            return n;
        }
    }
}
