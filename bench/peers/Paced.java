import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import org.HdrHistogram.Histogram;

import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;

/**
 * An open-loop load generator for bench/peers.sh (wrk2 is not packaged): GETs sent at a fixed rate whatever the server
 * does, each one's latency measured from the time it was meant to be sent, so a stall is counted for every request it
 * delays (no coordinated omission). One Vert.x event loop, up to {@code connections} keep-alive connections; a request
 * that finds them all busy waits in the client's queue, and that wait is part of its latency. The first two seconds
 * are not recorded. Prints one line: "PACED <sent/s> <p50 ms> <p90> <p99> <p99.9> <max> <errors>".
 * Usage: java -cp <quarkus-app/lib/main/*> bench/peers/Paced.java <port> <path> <rate/s> <seconds> <connections> [Name: value ...]
 */
public class Paced {

    public static void main(String[] args) throws Exception {
        int port = Integer.parseInt(args[0]);
        String path = args[1];
        int rate = Integer.parseInt(args[2]);
        int seconds = Integer.parseInt(args[3]);
        int connections = Integer.parseInt(args[4]);
        Vertx vertx = Vertx.vertx(new VertxOptions().setPreferNativeTransport(true).setEventLoopPoolSize(1));
        HttpClient client = vertx.createHttpClient(new HttpClientOptions().setKeepAlive(true).setPipelining(false),
                new PoolOptions().setHttp1MaxSize(connections).setMaxWaitQueueSize(-1));
        RequestOptions template = new RequestOptions().setMethod(HttpMethod.GET).setHost("127.0.0.1").setPort(port)
                .setURI(path);
        for (int i = 5; i < args.length; i++) {
            String[] header = args[i].split(":\\s*", 2);
            template.addHeader(header[0], header[1]);
        }
        Histogram histogram = new Histogram(TimeUnit.SECONDS.toNanos(60), 3);
        AtomicLong errors = new AtomicLong();
        long warmup = TimeUnit.SECONDS.toNanos(2);
        long start = System.nanoTime();
        long total = (long) rate * seconds;
        long interval = TimeUnit.SECONDS.toNanos(1) / rate;
        CountDownLatch finished = new CountDownLatch(1);
        AtomicLong sent = new AtomicLong();
        AtomicLong done = new AtomicLong();
        vertx.setPeriodic(1, timer -> {
            long due = Math.min(total, (System.nanoTime() - start) / interval + 1);
            for (long i = sent.get(); i < due; i++) {
                long intended = start + i * interval;
                client.request(new RequestOptions(template))
                        .compose(request -> request.send().compose(response -> response.body().map(response.statusCode())))
                        .onComplete(result -> {
                            long latency = System.nanoTime() - intended;
                            if (result.failed() || result.result() != 200) {
                                errors.incrementAndGet();
                            } else if (intended - start >= warmup) {
                                histogram.recordValue(Math.min(latency, histogram.getHighestTrackableValue()));
                            }
                            if (done.incrementAndGet() == total) {
                                finished.countDown();
                            }
                        });
            }
            sent.set(due);
            if (due == total) {
                vertx.cancelTimer(timer);
            }
        });
        boolean complete = finished.await(seconds + 60L, TimeUnit.SECONDS);
        double elapsed = (System.nanoTime() - start) / 1e9;
        System.out.printf("PACED %.0f %.3f %.3f %.3f %.3f %.3f %d%s%n", sent.get() / Math.min(elapsed, seconds),
                histogram.getValueAtPercentile(50) / 1e6, histogram.getValueAtPercentile(90) / 1e6,
                histogram.getValueAtPercentile(99) / 1e6, histogram.getValueAtPercentile(99.9) / 1e6,
                histogram.getMaxValue() / 1e6, errors.get() + (total - done.get()), complete ? "" : " (unfinished)");
        vertx.close();
    }
}
