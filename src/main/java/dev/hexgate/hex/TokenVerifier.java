package dev.hexgate.hex;

import java.time.Instant;
import java.time.InstantSource;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;

import jakarta.enterprise.context.ApplicationScoped;

import org.jboss.logging.Logger;

import com.fasterxml.jackson.databind.ObjectMapper;

import dev.hexgate.config.HexgateConfig;
import dev.hexgate.domain.HexAccount;
import dev.hexgate.error.ErrorCode;
import dev.hexgate.error.GatewayException;
import dev.hexgate.error.Redaction;
import dev.hexgate.support.Failures;
import io.smallrye.mutiny.Uni;
import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;

/**
 * Checks a token with Hex ({@code GET /api/v1/users/me}) before it is stored, and maps each answer as docs/contract.md §3 says.
 * It goes through {@link UpstreamClient}, so the check reaches Hex exactly as proxied requests do: the same certificate check
 * against {@code <subdomain>.<domain>}, the same egress proxy.
 */
@ApplicationScoped
public class TokenVerifier {

    private static final Logger LOG = Logger.getLogger(TokenVerifier.class);
    private static final String ME = "/v1/users/me";

    private final InstantSource clock;
    private final HexHost hexHost;
    private final HexgateConfig config;
    private final ObjectMapper mapper;
    private final UpstreamClient upstream;

    public TokenVerifier(HexHost hexHost, UpstreamClient upstream, HexgateConfig config, ObjectMapper mapper,
            InstantSource clock) {
        this.hexHost = hexHost;
        this.upstream = upstream;
        this.config = config;
        this.mapper = mapper;
        this.clock = clock;
    }

    /** What Hex says about the token; with verification switched off, only what the token itself tells. */
    public Uni<HexAccount> verify(String subdomain, String token) {
        if (!config.verifyOnLink()) {
            return Uni.createFrom().item(account(token, null, null, null, null));
        }
        HexOrigin origin = hexHost.origin(subdomain);
        return ask(origin, token).map(a -> interpret(a, origin, token))
                .onFailure(f -> !(f instanceof GatewayException)).transform(f -> unreachable(f, origin));
    }

    /** What a token's re-check found. */
    public enum Health {
        /** Hex accepts it (200, or 403 from a token that may not read its own user). */
        ALIVE,
        /** Hex refuses it: 401. */
        DEAD,
        /** Nothing is known: a 429, a 5xx, a timeout or any other answer. Never taken for a dead token. */
        UNKNOWN
    }

    /** Re-checks a stored token with Hex, whether or not links are verified; never fails. */
    public Uni<Health> health(String subdomain, String token) {
        HexOrigin origin = hexHost.origin(subdomain);
        return ask(origin, token).map(answer -> switch (answer.status()) {
            case 200, 403 -> Health.ALIVE;
            case 401 -> Health.DEAD;
            default -> Health.UNKNOWN;
        }).onFailure().invoke(f -> LOG.debugf("Token re-check on %s failed: %s", origin.host(), f.getClass().getSimpleName()))
                .onFailure().recoverWithItem(Health.UNKNOWN);
    }

    private Uni<Answer> ask(HexOrigin origin, String token) {
        MultiMap headers = HttpHeaders.headers().add(HttpHeaders.AUTHORIZATION, "Bearer " + token)
                .add(HttpHeaders.ACCEPT, "application/json");
        Future<Answer> answer = upstream.open(origin, HttpMethod.GET, ME, headers)
                .compose(request -> request.idleTimeout(config.proxy().timeout().toMillis()).send())
                .compose(response -> response.body().map(body -> new Answer(response.statusCode(),
                        response.getHeader("Retry-After"), body)));
        return Uni.createFrom().completionStage(answer.toCompletionStage());
    }

    /** Hex's answer to the check, read whole (it is a few hundred bytes). */
    private record Answer(int status, String retryAfter, Buffer body) {
    }

    private HexAccount interpret(Answer response, HexOrigin origin, String token) {
        int status = response.status();
        if (status == 200) {
            HexIdentity identity = parse(response.body());
            String expires = identity.token() == null ? null : expiry(identity.token().exp());
            return account(token, identity.org() == null ? null : identity.org().id(), identity.email(), expires,
                    clock.instant().truncatedTo(ChronoUnit.MILLIS).toString());
        }
        if (status == 403) {
            // Genuine token that may not read /users/me (a narrowly scoped workspace token): link without identity.
            return account(token, null, null, null, clock.instant().truncatedTo(ChronoUnit.MILLIS).toString());
        }
        if (status == 429) {
            String retryAfter = response.retryAfter();
            throw new GatewayException(ErrorCode.UPSTREAM_RATE_LIMITED,
                    "Hex rate-limited the token check on " + origin.host() + "; try again later.", List.of(),
                    retryAfter == null ? Map.of() : Map.of("Retry-After", retryAfter));
        }
        if (status >= 500) {
            throw new GatewayException(ErrorCode.UPSTREAM_UNREACHABLE,
                    "Hex answered " + status + " to the token check on " + origin.host() + "; try again later.");
        }
        throw new GatewayException(ErrorCode.CONNECTION_TEST_FAILED, "Hex rejected the token on " + origin.host()
                + " (HTTP " + status + "): check that it is valid, not expired, and belongs to this subdomain.");
    }

    private HexIdentity parse(Buffer body) {
        try {
            return mapper.readValue(body.getBytes(), HexIdentity.class);
        } catch (Exception e) {
            throw new GatewayException(ErrorCode.UPSTREAM_UNREACHABLE, "Hex answered the token check with an unexpected body.");
        }
    }

    private static GatewayException unreachable(Throwable failure, HexOrigin origin) {
        LOG.warnf("Token check on %s failed: %s", origin.host(), failure.getClass().getSimpleName());
        return Failures.isResponseTimeout(failure)
                ? new GatewayException(ErrorCode.UPSTREAM_TIMEOUT, "Hex at " + origin.host() + " did not answer in time.")
                : new GatewayException(ErrorCode.UPSTREAM_UNREACHABLE, "Hex at " + origin.host() + " could not be reached.");
    }

    private static HexAccount account(String token, String orgId, String email, String expires, String verifiedAt) {
        return new HexAccount(HexAccount.tokenType(token), Redaction.hint(token), orgId, email, expires, verifiedAt);
    }

    /** {@code token.exp} has no documented unit: read as epoch seconds, or milliseconds when too large for seconds. */
    static String expiry(Double exp) {
        if (exp == null) {
            return null;
        }
        long value = exp.longValue();
        Instant at = value > 100_000_000_000L ? Instant.ofEpochMilli(value) : Instant.ofEpochSecond(value);
        return at.truncatedTo(ChronoUnit.MILLIS).toString();
    }
}
