package dev.hexgate.store;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.lang.reflect.Field;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

import jakarta.inject.Inject;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import com.github.benmanes.caffeine.cache.Cache;

import dev.hexgate.testing.Await;
import dev.hexgate.testing.FakeHex;
import dev.hexgate.testing.FakeHexResource;
import dev.hexgate.testing.Keys;
import dev.hexgate.testing.Links;
import dev.hexgate.testing.NoSecretsInLogs;
import dev.hexgate.testing.OpenBaoResource;
import dev.hexgate.testing.TestClock;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.quarkus.arc.ClientProxy;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;

/** The proxy's token cache: store reads it saves, a short memory for unknown ids, and tokens Hex has refused. */
@QuarkusTest
@WithTestResource(OpenBaoResource.class)
@WithTestResource(FakeHexResource.class)
@ExtendWith(NoSecretsInLogs.class)
class TokenCacheTest {

    FakeHex hex;
    @Inject
    TestClock clock;
    @Inject
    MeterRegistry registry;
    @Inject
    TokenCache cache;

    @AfterEach
    void restoreClock() {
        clock.reset();
    }

    private long storeReads() {
        Timer timer = registry.find("hexgate.store.operations").tag("op", "read").tag("outcome", "ok").timer();
        return timer == null ? 0 : timer.count();
    }

    private static int proxy(String connectionId) {
        return given().header("Authorization", Keys.bearer(Keys.FULL)).header("Connection-Id", connectionId)
                .when().get("/proxy/v1/projects").then().extract().statusCode();
    }

    @Test
    void fiveRequestsForAnUnknownIdCostOneStoreRead() {
        long before = storeReads();
        for (int i = 0; i < 5; i++) {
            assertEquals(404, proxy("never-linked-" + getClass().getSimpleName()));
        }
        assertEquals(1, storeReads() - before);
        clock.advance(TokenCache.NEGATIVE_TTL.plusMillis(10));
        assertEquals(404, proxy("never-linked-" + getClass().getSimpleName()));
        assertEquals(2, storeReads() - before, "'not found' is believed only briefly");
    }

    @Test
    void anIdLinkedOnThisReplicaIsServedAtOnceEvenIfItWasUnknownAMomentAgo() {
        assertEquals(404, proxy("cache-late"));
        Links.linked("cache-late", "app", hex.personalToken("app"));
        assertEquals(200, proxy("cache-late"));
    }

    @Test
    void a401FromHexDropsACachedTokenThatIsNotBrandNew() {
        String token = hex.personalToken("app");
        Links.linked("cache-401", "app", token);
        assertEquals(200, proxy("cache-401"));
        hex.revoke(token);
        assertEquals(401, proxy("cache-401"));
        // That 401 also has the token re-checked, which reads the store once and marks the connection (TokenHealth):
        // counted from when it is done.
        assertTrue(Await.until(() -> given().header("Authorization", Keys.bearer(Keys.FULL)).get("/connections/cache-401")
                .then().extract().jsonPath().getList("errors").size() == 1, Duration.ofSeconds(10)));
        long before = storeReads();
        assertEquals(401, proxy("cache-401"));
        assertEquals(401, proxy("cache-401"));
        assertEquals(before, storeReads(),
                "a token written moments ago is kept: re-reading it per request would only load the store");
        clock.advance(TokenCache.REJECTED_MIN_AGE.plusSeconds(1));
        assertEquals(401, proxy("cache-401"));
        assertEquals(before, storeReads(), "the 401 itself is passed back, never replayed");
        assertEquals(401, proxy("cache-401"));
        assertEquals(before + 1, storeReads(), "after a 401 to an older token the next request reads the store");
    }

    /**
     * Caffeine picks a generated class per feature set and loads it by name; a native image has only the ones the
     * quarkus-caffeine extension registers. Adding, say, a removal listener or stats would pick an unregistered one.
     */
    @Test
    void usesOnlyCacheClassesTheNativeImageRegisters() throws Exception {
        String registered = registeredByQuarkusCaffeine();
        for (String field : new String[] { "entries", "unknown" }) {
            Field f = TokenCache.class.getDeclaredField(field);
            f.setAccessible(true);
            Object impl = ((Cache<?, ?>) f.get(unwrap(cache))).asMap();
            String name = impl.getClass().getName();
            assertTrue(registered.contains(name), name + " is not registered for reflection by quarkus-caffeine");
        }
    }

    private static Object unwrap(TokenCache proxy) throws Exception {
        // The injected bean is a client proxy; the fields live on the contextual instance.
        if (proxy instanceof ClientProxy client) {
            return client.arc_contextualInstance();
        }
        return proxy;
    }

    private static String registeredByQuarkusCaffeine() throws IOException {
        try (InputStream in = TokenCacheTest.class.getClassLoader()
                .getResourceAsStream("io/quarkus/caffeine/runtime/graal/CacheConstructorsFeature.class")) {
            assertNotNull(in, "quarkus-caffeine is on the class path");
            return new String(in.readAllBytes(), StandardCharsets.ISO_8859_1);
        }
    }
}
