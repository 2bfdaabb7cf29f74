package dev.hexgate.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Map;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;

/**
 * A {@link WebhookReceiver} as the gateway's {@code HEXGATE_WEBHOOK_URLS} ({@code /hooks}), with a signing key and
 * a short attempt timeout and poll, for webhook tests.
 */
public class WebhookReceiverResource implements QuarkusTestResourceLifecycleManager {

    /** The signing key the gateway is given; tests verify signatures with it. */
    public static final String SIGNING_KEY = "whsk-test-signing-key-8c1f0e7a2b";
    public static final String PATH = "/hooks";

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
                "hexgate.webhook.poll-every", "1s");
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
