package dev.hexgate.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Map;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;

/**
 * A {@link WebhookReceiver} as the gateway's {@code HEXGATE_WEBHOOK_URLS} ({@code /hooks}), with a signing key and
 * a short attempt timeout, poll and maximum age, for webhook tests.
 */
public class WebhookReceiverResource implements QuarkusTestResourceLifecycleManager {

    /** The signing key the gateway is given; tests verify signatures with it. */
    public static final String SIGNING_KEY = "whsk-test-signing-key-8c1f0e7a2b";
    public static final String PATH = "/hooks";
    /** HEXGATE_WEBHOOK_MAX_AGE here: past the 15 s an unconfirmed delivery waits, short enough to see one given up. */
    public static final String MAX_AGE = "20s";

    private WebhookReceiver receiver;

    @Override
    public Map<String, String> start() {
        NoSecretsInLogs.secret(SIGNING_KEY);
        receiver = new WebhookReceiver();
        try {
            receiver.start();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return Map.of("hexgate.webhook.urls", receiver.url(PATH),
                "hexgate.webhook.signing-key", SIGNING_KEY + ",whsk-previous-key-0000000000",
                "hexgate.webhook.timeout", "2s",
                "hexgate.webhook.poll-every", "1s",
                "hexgate.webhook.max-age", MAX_AGE);
    }

    @Override
    public void inject(TestInjector injector) {
        injector.injectIntoFields(receiver, new TestInjector.MatchesType(WebhookReceiver.class));
    }

    @Override
    public void stop() {
        if (receiver != null) {
            receiver.stop();
        }
    }
}
