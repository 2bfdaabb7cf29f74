package dev.hexgate.hex;

import java.net.URI;
import java.time.Instant;
import java.time.InstantSource;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.ws.rs.core.Response;

import org.jboss.logging.Logger;

import com.fasterxml.jackson.databind.ObjectMapper;

import dev.hexgate.config.HexgateConfig;
import dev.hexgate.domain.HexAccount;
import dev.hexgate.error.ErrorCode;
import dev.hexgate.error.GatewayException;
import dev.hexgate.error.Redaction;
import dev.hexgate.support.Failures;
import io.quarkus.rest.client.reactive.QuarkusRestClientBuilder;
import io.smallrye.mutiny.Uni;

/**
 * Checks a token with Hex ({@code GET /api/v1/users/me}) before it is stored, and maps each answer as docs/contract.md §3 says.
 */
@ApplicationScoped
public class TokenVerifier {

    private static final Logger LOG = Logger.getLogger(TokenVerifier.class);

    private final InstantSource clock;
    private final HexHost hexHost;
    private final HexgateConfig config;
    private final ObjectMapper mapper;

    public TokenVerifier(HexHost hexHost, HexgateConfig config, ObjectMapper mapper, InstantSource clock) {
        this.hexHost = hexHost;
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
        HexApi api = client(origin);
        return api.me("Bearer " + token, origin.authority())
                .map(response -> interpret(response, origin, token))
                .onFailure(f -> !(f instanceof GatewayException)).transform(f -> unreachable(f, origin))
                .eventually(() -> close(api));
    }

    private HexAccount interpret(Response response, HexOrigin origin, String token) {
        int status = response.getStatus();
        if (status == 200) {
            HexIdentity identity = parse(response);
            String expires = identity.token() == null ? null : expiry(identity.token().exp());
            return account(token, identity.org() == null ? null : identity.org().id(), identity.email(), expires,
                    clock.instant().truncatedTo(ChronoUnit.MILLIS).toString());
        }
        if (status == 403) {
            // Genuine token that may not read /users/me (a narrowly scoped workspace token): link without identity.
            return account(token, null, null, null, clock.instant().truncatedTo(ChronoUnit.MILLIS).toString());
        }
        if (status == 429) {
            String retryAfter = response.getHeaderString("Retry-After");
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

    private HexIdentity parse(Response response) {
        try {
            return mapper.readValue(response.readEntity(String.class), HexIdentity.class);
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

    private HexApi client(HexOrigin origin) {
        String target = origin.connectTo()
                .map(a -> origin.scheme() + "://" + (a.host().contains(":") ? "[" + a.host() + "]" : a.host()) + ":" + a.port())
                .orElse(origin.scheme() + "://" + origin.authority());
        return QuarkusRestClientBuilder.newBuilder()
                .baseUri(URI.create(target + origin.basePath()))
                .connectTimeout(config.proxy().connectTimeout().toMillis(), TimeUnit.MILLISECONDS)
                .readTimeout(config.proxy().timeout().toMillis(), TimeUnit.MILLISECONDS)
                .property("microprofile.rest.client.disable.default.mapper", true)
                .build(HexApi.class);
    }

    private static Uni<Void> close(HexApi api) {
        try {
            api.close();
        } catch (Exception e) {
            LOG.debugf("Closing the Hex client failed: %s", e.getClass().getSimpleName());
        }
        return Uni.createFrom().voidItem();
    }
}
