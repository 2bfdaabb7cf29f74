package dev.hexgate.webhook;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;

import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;

import org.jboss.logging.Logger;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.hexgate.config.HexgateConfig;
import dev.hexgate.domain.Connection;
import dev.hexgate.error.Redaction;
import dev.hexgate.store.DeliveryQueue;
import dev.hexgate.store.StoreException;
import dev.hexgate.support.RandomTokens;
import dev.hexgate.support.RetryAfter;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.scheduler.Scheduled;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;

/**
 * Auth webhooks, delivered at least once (docs/contract.md §10). A change queues its deliveries in the store before it is
 * made ({@link #queue}), so that a replica dying right after answering loses none; the replica that made the change
 * sends them at once ({@link #send}), and every replica polls the queue for retries that are due and for deliveries a
 * stopped replica left. An entry is claimed with compare-and-set before each attempt, so two replicas do not both send
 * it; after a crash mid-attempt it is sent again with the same {@code X-Hexgate-Delivery}. Network errors, timeouts,
 * 5xx and 429 are retried with exponential backoff and jitter (honouring {@code Retry-After}) until
 * {@code HEXGATE_WEBHOOK_MAX_AGE}; any other answer ends the delivery. Redirects are not followed.
 */
@ApplicationScoped
public class Webhooks {

    private static final Logger LOG = Logger.getLogger(Webhooks.class);
    /**
     * A delivery no request confirmed (its replica stopped between queueing and answering) is checked against its
     * connection only after this long, so that a write still in flight is not mistaken for one that failed.
     */
    static final Duration GRACE = Duration.ofSeconds(15);
    /** The first retry waits 1 to 2 s; each one after it twice as long, up to an hour. */
    private static final long FIRST_RETRY_MS = 2_000;
    private static final long LONGEST_WAIT_MS = Duration.ofHours(1).toMillis();
    /** The most queued deliveries one poll looks at, oldest first, and how many it lists at a time. */
    private static final int SCAN = 1000;
    private static final int PAGE = 100;
    private static final int CONCURRENCY = 4;

    /** What a change must do before it is made ({@link #written}, {@link #deleted}) for its deliveries to be sent. */
    public record Condition(String connectionId, String kind, int version) {

        /** The connection's record is written at {@code version} (or later). */
        public static Condition written(String connectionId, int version) {
            return new Condition(connectionId, Delivery.WRITTEN, version);
        }

        /** The connection's record, at {@code version} now, is gone (or replaced). */
        public static Condition deleted(String connectionId, int version) {
            return new Condition(connectionId, Delivery.DELETED, version);
        }
    }

    /** The deliveries one change queued. */
    public record Queued(List<String> ids) {
        public static final Queued NONE = new Queued(List.of());
    }

    private final DeliveryQueue queue;
    private final HexgateConfig config;
    private final ObjectMapper mapper;
    private final RandomTokens random;
    private final InstantSource clock;
    private final HttpClient client;
    private final List<String> urls;
    private final Optional<String> signingKey;
    private final Map<String, Counter> outcomes = new ConcurrentHashMap<>();
    private final MeterRegistry registry;
    /** Entries this replica has seen waiting (for a retry, or claimed by another replica), by id: not read again before. */
    private final Map<String, Long> notBefore = new ConcurrentHashMap<>();
    private final AtomicLong pending = new AtomicLong();
    private final AtomicLong oldestMillis = new AtomicLong();

    public Webhooks(DeliveryQueue queue, HexgateConfig config, ObjectMapper mapper, RandomTokens random, InstantSource clock,
            Vertx vertx, MeterRegistry registry) {
        this.queue = queue;
        this.config = config;
        this.mapper = mapper;
        this.random = random;
        this.clock = clock;
        this.registry = registry;
        this.urls = config.webhook().urls().orElse(List.of());
        this.signingKey = config.webhook().signingKey().flatMap(keys -> keys.stream().findFirst());
        int timeoutMs = (int) config.webhook().timeout().toMillis();
        this.client = vertx.createHttpClient(new HttpClientOptions().setConnectTimeout(timeoutMs).setKeepAlive(true)
                .setKeepAliveTimeout(30).setVerifyHost(true));
        // Held strongly: the gauges live as long as the registry, whatever the garbage collector thinks of this bean.
        Gauge.builder("hexgate.webhook.pending", pending, AtomicLong::get).strongReference(true)
                .description("Webhook deliveries waiting in the queue (counted up to 1000 by each poll)").register(registry);
        Gauge.builder("hexgate.webhook.pending.oldest.age", this, Webhooks::oldestAgeSeconds).strongReference(true)
                .baseUnit("seconds")
                .description("How long the oldest waiting webhook delivery has been queued").register(registry);
    }

    @PreDestroy
    void close() {
        client.close();
    }

    /** True when a change to this connection sends webhooks: a signing key, and a URL for it. */
    public boolean enabledFor(Connection connection) {
        return signingKey.isPresent() && !urlsFor(connection).isEmpty();
    }

    /** True when a connection may carry its own webhook URL: there is a key to sign with. */
    public boolean canSign() {
        return signingKey.isPresent();
    }

    /**
     * Queues one delivery per event and URL, to be sent once {@code condition} holds. Fails with a
     * {@link StoreException} (and queues nothing that would ever be sent) when the store cannot take them.
     */
    public Uni<Queued> queue(Connection connection, List<AuthEvent> events, Condition condition) {
        if (!enabledFor(connection) || events.isEmpty()) {
            return Uni.createFrom().item(Queued.NONE);
        }
        long now = clock.millis();
        List<String> ids = new ArrayList<>();
        List<Uni<Void>> writes = new ArrayList<>();
        for (AuthEvent event : events) {
            String body = serialise(event.body(config.webhook().environment(), connection.providerConfigKey()));
            for (String url : urlsFor(connection)) {
                // Ids sort by queueing time: thirteen digits of epoch millis, then randomness.
                String id = String.format("%013d-%s", now, random.hex(8));
                ids.add(id);
                Delivery delivery = new Delivery(url, body, event.operation(), connection.connectionId(), condition.kind(),
                        condition.version(), now, now, 0, 0, false);
                writes.add(queue.add(id, delivery.toMap()));
            }
        }
        return Multi.createFrom().iterable(writes).onItem().transformToUniAndConcatenate(write -> write)
                .collect().last().replaceWith(new Queued(List.copyOf(ids)));
    }

    /** Sends what a change queued, now that it is made; never blocks or fails the caller. */
    public void send(Queued queued) {
        for (String id : queued.ids()) {
            deliver(id, true).subscribe().with(done -> {
            }, failure -> LOG.debugf("Webhook delivery %s stays queued: %s", id, StoreException.describe(failure)));
        }
    }

    /** Removes what a change queued when the change was not made (another write came first). */
    public Uni<Void> discard(Queued queued) {
        return Multi.createFrom().iterable(queued.ids()).onItem().transformToUniAndConcatenate(queue::remove)
                .collect().last().replaceWithVoid()
                .onFailure().invoke(e -> LOG.debugf("Unused webhook deliveries stay queued until checked: %s",
                        StoreException.describe(e)))
                .onFailure().recoverWithNull();
    }

    @Scheduled(identity = "webhook-poll", every = "{hexgate.webhook.poll-every}", executionMaxDelay = "500ms", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    Uni<Void> scheduled() {
        return signingKey.isEmpty() ? Uni.createFrom().voidItem() : poll();
    }

    /** One pass over the queue, oldest first: sends what is due, and updates the queue gauges. */
    public Uni<Void> poll() {
        return ids(null, new ArrayList<>()).flatMap(ids -> {
            long now = clock.millis();
            pending.set(ids.size());
            oldestMillis.set(ids.isEmpty() ? 0 : queuedAt(ids.get(0)));
            notBefore.keySet().retainAll(new HashSet<>(ids));
            List<String> due = ids.stream().filter(id -> notBefore.getOrDefault(id, 0L) <= now).toList();
            return Multi.createFrom().iterable(due)
                    .onItem().transformToUni(id -> deliver(id, false).onFailure().invoke(e -> LOG.debugf(
                            "Webhook delivery %s stays queued: %s", id, StoreException.describe(e)))
                            .onFailure().recoverWithNull())
                    .merge(CONCURRENCY).collect().last().replaceWithVoid();
        }).onFailure().invoke(e -> LOG.debugf("Webhook queue not polled: %s", StoreException.describe(e)))
                .onFailure().recoverWithNull();
    }

    private Uni<List<String>> ids(String after, List<String> found) {
        return queue.ids(after, PAGE).flatMap(page -> {
            found.addAll(page);
            return page.size() < PAGE || found.size() >= SCAN ? Uni.createFrom().item(found)
                    : ids(page.get(page.size() - 1), found);
        });
    }

    /** One attempt at one queued delivery, if it is due, confirmed and not claimed by another replica. */
    private Uni<Void> deliver(String id, boolean confirmedByCaller) {
        return queue.read(id).flatMap(found -> {
            if (found.isEmpty()) {
                notBefore.remove(id);
                return Uni.createFrom().voidItem();
            }
            Delivery delivery = Delivery.fromMap(found.get().value());
            int version = found.get().version();
            long now = clock.millis();
            if (delivery == null) {
                notBefore.put(id, Long.MAX_VALUE);
                LOG.warnf("Skipped a record under webhooks/pending/ that is not a hexgate delivery: %s", id);
                return Uni.createFrom().voidItem();
            }
            long waitUntil = Math.max(delivery.nextAt(), delivery.claimedUntil());
            if (waitUntil > now) {
                notBefore.put(id, waitUntil);
                return Uni.createFrom().voidItem();
            }
            if (now - delivery.createdAt() > config.webhook().maxAge().toMillis()) {
                return end(id, delivery, "expired", "it was older than HEXGATE_WEBHOOK_MAX_AGE");
            }
            if (confirmedByCaller || delivery.confirmed()) {
                return attempt(id, delivery, version);
            }
            if (now - delivery.createdAt() < GRACE.toMillis()) {
                notBefore.put(id, delivery.createdAt() + GRACE.toMillis());
                return Uni.createFrom().voidItem();
            }
            return queue.connectionVersion(delivery.connectionId()).flatMap(current -> {
                if (delivery.holds(current)) {
                    return attempt(id, delivery, version);
                }
                // The change it reports was never made (its request failed): nothing happened, nothing to say.
                LOG.debugf("Dropped webhook delivery %s: the change it reports was not made", id);
                return queue.remove(id).replaceWithVoid();
            });
        });
    }

    private Uni<Void> attempt(String id, Delivery delivery, int version) {
        long now = clock.millis();
        // Claimed for longer than an attempt can take; a replica that dies mid-attempt leaves it to others after that.
        Delivery claimed = delivery.claimed(now + 2 * config.webhook().timeout().toMillis() + 1_000);
        return queue.replace(id, claimed.toMap(), version).flatMap(won -> {
            if (!won) {
                return Uni.createFrom().voidItem();
            }
            return post(id, claimed).flatMap(answer -> {
                int status = answer.status();
                if (status >= 200 && status < 300) {
                    return end(id, claimed, "delivered", null);
                }
                if (status == 429 || status >= 500 || status == Answer.NO_ANSWER) {
                    return retry(id, claimed, version + 1, answer);
                }
                return end(id, claimed, "rejected", "the receiver answered " + status);
            });
        });
    }

    /** After failed attempt number {@code delivery.attempts()}: waits 1–2 s after the first, twice as long each time. */
    private Uni<Void> retry(String id, Delivery delivery, int version, Answer answer) {
        long now = clock.millis();
        long base = Math.min(LONGEST_WAIT_MS, FIRST_RETRY_MS << Math.min(delivery.attempts() - 1, 20));
        long wait = base / 2 + ThreadLocalRandom.current().nextLong(base / 2 + 1);
        wait = Math.max(wait, answer.retryAfterMs(clock.instant()));
        long at = now + wait;
        if (at - delivery.createdAt() > config.webhook().maxAge().toMillis()) {
            return end(id, delivery, "expired", "no attempt succeeded within HEXGATE_WEBHOOK_MAX_AGE (" + answer + ")");
        }
        count("retried");
        LOG.debugf("Webhook delivery %s (attempt %d) failed: %s; next attempt in %d ms", id, delivery.attempts(), answer,
                wait);
        notBefore.put(id, at);
        return queue.replace(id, delivery.retryAt(at).toMap(), version).replaceWithVoid();
    }

    private Uni<Void> end(String id, Delivery delivery, String outcome, String why) {
        count(outcome);
        notBefore.remove(id);
        if (why != null) {
            LOG.warnf("Webhook %s for connection %s to %s %s after %d attempts: %s (delivery %s)", delivery.operation(),
                    Redaction.connectionRef(delivery.connectionId()), host(delivery.url()), outcome,
                    delivery.attempts(), why, id);
        }
        return queue.remove(id).replaceWithVoid();
    }

    /** The receiver's answer to one attempt: a status, or {@link #NO_ANSWER} (network error or timeout). */
    private record Answer(int status, String retryAfter, String failure) {

        static final int NO_ANSWER = -1;

        long retryAfterMs(Instant now) {
            return RetryAfter.parse(retryAfter, now).map(Duration::toMillis).orElse(0L);
        }

        @Override
        public String toString() {
            return status == NO_ANSWER ? failure : "HTTP " + status;
        }
    }

    private Uni<Answer> post(String id, Delivery delivery) {
        byte[] body = delivery.body().getBytes(StandardCharsets.UTF_8);
        String key = signingKey.orElseThrow();
        MultiMap headers = HttpHeaders.headers()
                .add(HttpHeaders.CONTENT_TYPE, "application/json")
                .add(HttpHeaders.USER_AGENT, "hexgate")
                .add("X-Nango-Hmac-Sha256", Signatures.hmacSha256(key, body))
                .add("X-Nango-Signature", Signatures.legacySha256(key, body))
                .add("X-Hexgate-Delivery", id)
                .add("X-Hexgate-Attempt", Integer.toString(delivery.attempts()));
        long timeoutMs = config.webhook().timeout().toMillis();
        RequestOptions options = new RequestOptions().setMethod(HttpMethod.POST).setAbsoluteURI(delivery.url())
                .setHeaders(headers).setFollowRedirects(false).setConnectTimeout(timeoutMs).setIdleTimeout(timeoutMs);
        Future<Answer> answer = client.request(options)
                .compose(request -> request.send(Buffer.buffer(body)))
                // The body is not needed: it is read and dropped, so the connection can be used again.
                .compose(response -> response.end().map(done -> new Answer(response.statusCode(),
                        response.getHeader("Retry-After"), null)));
        return Uni.createFrom().completionStage(answer.toCompletionStage())
                .ifNoItem().after(Duration.ofMillis(2 * timeoutMs)).fail()
                .onFailure().recoverWithItem(failure -> new Answer(Answer.NO_ANSWER, null,
                        failure.getClass().getSimpleName()));
    }

    private List<String> urlsFor(Connection connection) {
        String override = connection.webhookUrlOverride();
        return override != null && !override.isEmpty() ? List.of(override) : urls;
    }

    private String serialise(Map<String, Object> body) {
        try {
            return mapper.writeValueAsString(body);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("A webhook body could not be serialised", e);
        }
    }

    private void count(String outcome) {
        outcomes.computeIfAbsent(outcome, o -> Counter.builder("hexgate.webhook.deliveries").tag("outcome", o)
                .description("Webhook deliveries that ended (delivered, rejected, expired) or were retried")
                .register(registry)).increment();
    }

    private double oldestAgeSeconds() {
        long oldest = oldestMillis.get();
        return oldest == 0 ? 0 : Math.max(0, clock.millis() - oldest) / 1000.0;
    }

    private static long queuedAt(String id) {
        try {
            return Long.parseLong(id.substring(0, Math.min(13, id.length())));
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    private static String host(String url) {
        try {
            return URI.create(url).getHost();
        } catch (IllegalArgumentException e) {
            return "an invalid URL";
        }
    }
}
