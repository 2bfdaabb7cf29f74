package dev.hexgate.connectui;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;

import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.NewCookie;
import jakarta.ws.rs.core.Response;

import org.jboss.resteasy.reactive.RestCookie;
import org.jboss.resteasy.reactive.RestForm;
import org.jboss.resteasy.reactive.RestHeader;
import org.jboss.resteasy.reactive.RestQuery;

import dev.hexgate.audit.AuditLog;
import dev.hexgate.config.HexgateConfig;
import dev.hexgate.connection.ConnectionService;
import dev.hexgate.domain.ConnectSession;
import dev.hexgate.domain.Connection;
import dev.hexgate.domain.NewConnection;
import dev.hexgate.domain.Validation;
import dev.hexgate.error.GatewayException;
import dev.hexgate.support.RandomTokens;
import io.quarkus.qute.CheckedTemplate;
import io.quarkus.qute.TemplateInstance;
import io.smallrye.mutiny.Uni;

/**
 * The Connect UI (docs/contract.md §5): an end user opens the link of a connect session, enters a subdomain and an API
 * token, and the connection is linked for the session's end user. Plain HTML forms: it works without JavaScript.
 */
@Path("/connect")
@HtmlPage
public class ConnectPage {

    static final String CSRF_COOKIE = "hexgate_csrf";
    private static final DateTimeFormatter HUMAN_DATE = DateTimeFormatter.ofPattern("d MMMM yyyy, HH:mm 'UTC'", Locale.ENGLISH)
            .withZone(ZoneOffset.UTC);

    private final ConnectSessionService sessions;
    private final ConnectionService connections;
    private final HexgateConfig config;
    private final AuditLog audit;
    private final RandomTokens random;

    public ConnectPage(ConnectSessionService sessions, ConnectionService connections, HexgateConfig config, AuditLog audit,
            RandomTokens random) {
        this.sessions = sessions;
        this.connections = connections;
        this.config = config;
        this.audit = audit;
        this.random = random;
    }

    /**
     * {@code templates/connect/form.html}: the two fields, with what the end user typed (never the token) and why it failed.
     */
    @CheckedTemplate(basePath = "connect", defaultName = CheckedTemplate.HYPHENATED_ELEMENT_NAME)
    record Form(String sessionToken, String csrf, String preset, String subdomain, String subdomainError, String tokenError,
            String general, String endUser) implements TemplateInstance {
    }

    /** {@code templates/connect/done.html}: the linked account, as Hex described it. */
    @CheckedTemplate(basePath = "connect", defaultName = CheckedTemplate.HYPHENATED_ELEMENT_NAME)
    record Done(String host, String email, String org, String tokenType, String expires) implements TemplateInstance {
    }

    /** {@code templates/connect/closed.html}: a link that cannot be used (unknown, expired, used) or a refused form. */
    @CheckedTemplate(basePath = "connect", defaultName = CheckedTemplate.HYPHENATED_ELEMENT_NAME)
    record Closed(String heading, String message) implements TemplateInstance {
    }

    /** What the end user typed, echoed back on errors: never the token. */
    private record Entered(String subdomain, String subdomainError, String tokenError, String general) {
    }

    @GET
    public Uni<Response> open(@RestQuery("session_token") String token) {
        return sessions.lookup(token).map(lookup -> {
            if (lookup.state() != ConnectSessionService.State.OPEN) {
                return closedPage(lookup.state());
            }
            String csrf = random.hex(32);
            return page(200, formPage(token, csrf, lookup, new Entered(null, null, null, null)))
                    .cookie(csrfCookie(csrf)).build();
        });
    }

    @POST
    @Consumes(MediaType.APPLICATION_FORM_URLENCODED)
    public Uni<Response> submit(@RestForm("session_token") String token, @RestForm("csrf") String csrf,
            @RestForm("subdomain") String postedSubdomain, @RestForm("api_token") String apiToken,
            @RestCookie(CSRF_COOKIE) String csrfCookie, @RestHeader("Sec-Fetch-Site") String fetchSite) {
        return sessions.lookup(token).flatMap(lookup -> {
            if (lookup.state() != ConnectSessionService.State.OPEN) {
                return Uni.createFrom().item(closedPage(lookup.state()));
            }
            if (!sameOrigin(csrf, csrfCookie, fetchSite)) {
                return Uni.createFrom().item(page(403, new Closed("This form could not be verified",
                        "The form was not sent from this page. Open the link you were given again.").render()).build());
            }
            ConnectSession session = lookup.record().value();
            String subdomain = session.presetSubdomain() != null ? session.presetSubdomain() : trim(postedSubdomain);
            String enteredToken = trim(apiToken);
            Entered problems = check(subdomain, enteredToken);
            if (problems != null) {
                return Uni.createFrom().item(page(400, formPage(token, csrf, lookup, problems)).build());
            }
            NewConnection link = new NewConnection(UUID.randomUUID().toString(), config.providerConfigKey(), subdomain,
                    enteredToken, null, session.endUser(), session.tags(), session.webhookUrlOverride(), true);
            return linkWithSession(lookup, link)
                    .invoke(connection -> audit.bySession(lookup.id(), "connect", connection.connectionId(), "created"))
                    .onFailure().invoke(e -> audit.bySession(lookup.id(), "connect", null, e instanceof GatewayException g
                            ? "refused:" + g.code().code()
                            : "refused:session_used"))
                    .map(connection -> page(200, successPage(connection)).build())
                    .onFailure(SessionUsed.class).recoverWithItem(e -> closedPage(ConnectSessionService.State.USED))
                    .onFailure(GatewayException.class).recoverWithItem(e -> failurePage(token, csrf, lookup, subdomain,
                            (GatewayException) e));
        });
    }

    /** Hex vouches for the token, then the session is claimed (single use), then the connection is stored. */
    private Uni<Connection> linkWithSession(ConnectSessionService.Lookup lookup, NewConnection link) {
        return connections.verify(link).flatMap(account -> sessions.claim(lookup, link.connectionId()).flatMap(claimed -> {
            if (!claimed) {
                return Uni.createFrom().failure(new SessionUsed());
            }
            return connections.store(link, account)
                    .onFailure().call(e -> sessions.release(lookup).onFailure().recoverWithNull());
        }));
    }

    /** The session was used by another submission between this one's lookup and its claim. */
    private static final class SessionUsed extends RuntimeException {
        SessionUsed() {
            super("connect session already used", null, false, false);
        }
    }

    private Response failurePage(String token, String csrf, ConnectSessionService.Lookup lookup, String subdomain,
            GatewayException e) {
        String host = subdomain + "." + config.upstream().domain();
        Entered entered = switch (e.code()) {
            case CONNECTION_TEST_FAILED -> new Entered(subdomain, null, "Hex rejected this token for " + host
                    + ". Check that it was copied whole, has not expired or been revoked, and belongs to this subdomain.",
                    null);
            case UPSTREAM_RATE_LIMITED -> new Entered(subdomain, null, null,
                    "Hex is limiting requests for this token right now. Wait a minute, then submit again.");
            case UPSTREAM_UNREACHABLE, UPSTREAM_TIMEOUT -> new Entered(subdomain, null, null, "Hex at " + host
                    + " could not be reached. Check the subdomain, or try again in a minute.");
            default -> new Entered(subdomain, null, null,
                    "The connection could not be saved right now; nothing was saved. Try again in a minute.");
        };
        return page(e.code().status(), formPage(token, csrf, lookup, entered)).build();
    }

    private static Entered check(String subdomain, String token) {
        String subdomainError = Validation.isSubdomain(subdomain) ? null
                : subdomain == null || subdomain.isEmpty() ? "Enter your Hex subdomain, for example app."
                        : "This is not a Hex subdomain. Use only the part before .hex.tech: lower-case letters, digits and "
                                + "hyphens, such as app, eu or acme.";
        String tokenError = Validation.isToken(token) ? null
                : token == null || token.isEmpty() ? "Enter an API token."
                        : "This is not a Hex API token. It starts with hxtp_ or hxtw_ followed by 16 or more letters and digits.";
        return subdomainError == null && tokenError == null ? null : new Entered(subdomain, subdomainError, tokenError, null);
    }

    private String formPage(String token, String csrf, ConnectSessionService.Lookup lookup, Entered entered) {
        ConnectSession session = lookup.record().value();
        String who = session.endUser().email() != null ? session.endUser().email()
                : session.endUser().displayName() != null ? session.endUser().displayName() : session.endUser().id();
        return new Form(token, csrf, session.presetSubdomain(),
                session.presetSubdomain() == null && Validation.isSubdomain(entered.subdomain()) ? entered.subdomain() : null,
                entered.subdomainError(), entered.tokenError(), entered.general(), who).render();
    }

    private String successPage(Connection c) {
        return new Done(c.subdomain() + "." + config.upstream().domain(), c.hex().userEmail(), c.hex().orgId(),
                c.hex().tokenType().equals("workspace") ? "Workspace token" : "Personal access token",
                c.hex().tokenExpiresAt() == null ? null : HUMAN_DATE.format(Instant.parse(c.hex().tokenExpiresAt()))).render();
    }

    private Response closedPage(ConnectSessionService.State state) {
        Map<String, String> text = switch (state) {
            case EXPIRED -> Map.of("heading", "This link has expired",
                    "message", "Connect links are valid for a limited time, and this one has run out.");
            case USED -> Map.of("heading", "This link has already been used",
                    "message", "A Hex account was already connected with this link. Each link works once.");
            default -> Map.of("heading", "This link is not valid",
                    "message", "The link is incomplete or unknown. Check that you opened the whole link.");
        };
        int status = state == ConnectSessionService.State.UNKNOWN ? 404 : 410;
        return page(status, new Closed(text.get("heading"), text.get("message")).render()).build();
    }

    /** Double-submit cookie plus Fetch Metadata: a form posted from another site carries neither. */
    private static boolean sameOrigin(String field, String cookie, String fetchSite) {
        if (fetchSite != null && !fetchSite.equals("same-origin") && !fetchSite.equals("none")) {
            return false;
        }
        return field != null && cookie != null && !field.isEmpty()
                && MessageDigest.isEqual(field.getBytes(StandardCharsets.UTF_8), cookie.getBytes(StandardCharsets.UTF_8));
    }

    private NewCookie csrfCookie(String value) {
        return new NewCookie.Builder(CSRF_COOKIE).value(value).path("/connect").httpOnly(true)
                .secure("https".equalsIgnoreCase(config.publicUrl().getScheme()))
                .sameSite(NewCookie.SameSite.STRICT).maxAge((int) config.connectSession().ttl().toSeconds()).build();
    }

    private static Response.ResponseBuilder page(int status, String html) {
        return Response.status(status).type(MediaType.TEXT_HTML_TYPE.withCharset("UTF-8")).entity(html);
    }

    private static String trim(String value) {
        return value == null ? null : value.trim();
    }

}
