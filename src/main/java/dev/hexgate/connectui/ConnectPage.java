package dev.hexgate.connectui;

import java.net.URI;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Locale;

import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.UriInfo;

import org.jboss.resteasy.reactive.RestForm;
import org.jboss.resteasy.reactive.RestHeader;
import org.jboss.resteasy.reactive.RestQuery;

import dev.hexgate.config.HexgateConfig;
import dev.hexgate.domain.ConnectSession;
import dev.hexgate.domain.Connection;
import dev.hexgate.domain.Validation;
import dev.hexgate.error.GatewayException;
import dev.hexgate.support.RandomTokens;
import io.quarkus.qute.CheckedTemplate;
import io.quarkus.qute.TemplateInstance;
import io.smallrye.mutiny.Uni;

/**
 * The Connect UI (docs/contract.md §5, §11): an end user opens the link of a connect session, enters a subdomain and an
 * API token, and the connection is linked for the session's end user. Plain HTML forms that work without JavaScript;
 * one inline script (its CSP nonce per answer) adds {@code @nangohq/frontend}'s {@code openConnectUI} protocol when an
 * origin of {@code HEXGATE_CONNECT_FRAME_ANCESTORS} frames the page at {@code /connect/}.
 */
@Path("/connect")
@HtmlPage
public class ConnectPage {

    private static final DateTimeFormatter HUMAN_DATE = DateTimeFormatter.ofPattern("d MMMM yyyy, HH:mm 'UTC'", Locale.ENGLISH)
            .withZone(ZoneOffset.UTC);

    private final ConnectSessionService sessions;
    private final SessionLinks links;
    private final HexgateConfig config;
    private final RandomTokens random;
    private final FrameOrigins origins;
    private final HtmlSecurityHeaders headers;

    public ConnectPage(ConnectSessionService sessions, SessionLinks links, HexgateConfig config, RandomTokens random,
            FrameOrigins origins, HtmlSecurityHeaders headers) {
        this.sessions = sessions;
        this.links = links;
        this.config = config;
        this.random = random;
        this.origins = origins;
        this.headers = headers;
    }

    /** What every page's script needs: this answer's CSP nonce and the origins it may talk to. */
    record Frame(String nonce, String origins) {
    }

    /** {@code templates/connect/wait.html}: inside the SDK's iframe, waits for the session token the parent sends. */
    @CheckedTemplate(basePath = "connect", defaultName = CheckedTemplate.HYPHENATED_ELEMENT_NAME)
    record Wait(Frame frame) implements TemplateInstance {
    }

    /**
     * {@code templates/connect/form.html}: the two fields, with what the end user typed (never the token) and why it
     * failed; {@code errorType} is the SDK's {@code AuthErrorType} of that failure.
     */
    @CheckedTemplate(basePath = "connect", defaultName = CheckedTemplate.HYPHENATED_ELEMENT_NAME)
    record Form(Frame frame, String sessionToken, String preset, String subdomain, String subdomainError, String tokenError,
            String general, String endUser, boolean reconnect, String errorType, String errorMessage)
            implements
                TemplateInstance {
    }

    /** {@code templates/connect/done.html}: the linked account, as Hex described it. */
    @CheckedTemplate(basePath = "connect", defaultName = CheckedTemplate.HYPHENATED_ELEMENT_NAME)
    record Done(Frame frame, String connectionId, String providerConfigKey, String host, String email, String org,
            String tokenType, String expires, boolean reconnect) implements TemplateInstance {
    }

    /** {@code templates/connect/closed.html}: a link that cannot be used (unknown, expired, used) or a refused form. */
    @CheckedTemplate(basePath = "connect", defaultName = CheckedTemplate.HYPHENATED_ELEMENT_NAME)
    record Closed(Frame frame, String heading, String message, String errorType) implements TemplateInstance {
    }

    /** What the end user typed, echoed back on errors (never the token), and the SDK's name for the failure. */
    private record Entered(String subdomain, String subdomainError, String tokenError, String general, String errorType) {
    }

    /**
     * {@code connect_link} ({@code ?session_token=}) opens the form. Without a token, {@code /connect/} is the SDK's iframe
     * entry ({@code apiURL}, {@code lang}, {@code theme}, {@code detectClosedAuthWindow} are ignored: the page talks only
     * to this gateway); {@code /connect} without one is an incomplete link.
     */
    @GET
    public Uni<Response> open(@RestQuery("session_token") String token, @Context UriInfo uri) {
        if (token == null && uri.getPath().endsWith("/")) {
            Frame frame = frame();
            return Uni.createFrom().item(page(200, frame, new Wait(frame)));
        }
        return form(token);
    }

    /** The waiting page's script posts the token the SDK handed it here, so it is never in a URL. */
    @POST
    @Path("/open")
    @Consumes(MediaType.APPLICATION_FORM_URLENCODED)
    public Uni<Response> openPosted(@RestForm("session_token") String token) {
        return form(token);
    }

    private Uni<Response> form(String token) {
        return sessions.lookup(token).map(lookup -> {
            if (lookup.state() != ConnectSessionService.State.OPEN) {
                return closedPage(lookup.state());
            }
            Frame frame = frame();
            return page(200, frame, formPage(frame, token, lookup, new Entered(null, null, null, null, null)));
        });
    }

    @POST
    @Consumes(MediaType.APPLICATION_FORM_URLENCODED)
    public Uni<Response> submit(@RestForm("session_token") String token, @RestForm("subdomain") String postedSubdomain,
            @RestForm("api_token") String apiToken, @RestHeader("Sec-Fetch-Site") String fetchSite,
            @RestHeader("Origin") String origin, @RestHeader("Host") String host) {
        return sessions.lookup(token).flatMap(lookup -> {
            if (lookup.state() != ConnectSessionService.State.OPEN) {
                return Uni.createFrom().item(closedPage(lookup.state()));
            }
            if (!fromThisPage(fetchSite, origin, host)) {
                Frame frame = frame();
                return Uni.createFrom().item(page(403, frame, new Closed(frame, "This form could not be verified",
                        "The form was not sent from this page. Open the link you were given again.", "unknown_error")));
            }
            ConnectSession session = lookup.record().value();
            String subdomain = SessionLinks.subdomain(session, trim(postedSubdomain));
            String enteredToken = trim(apiToken);
            Entered problems = check(subdomain, enteredToken);
            if (problems != null) {
                Frame frame = frame();
                return Uni.createFrom().item(page(400, frame, formPage(frame, token, lookup, problems)));
            }
            return links.link(lookup, subdomain, enteredToken, "")
                    .map(connection -> {
                        Frame frame = frame();
                        return page(200, frame, successPage(frame, connection, session.isReconnect()));
                    })
                    .onFailure(SessionLinks.SessionUsed.class)
                    .recoverWithItem(e -> closedPage(ConnectSessionService.State.USED))
                    .onFailure(GatewayException.class)
                    .recoverWithItem(e -> failurePage(token, lookup, subdomain, (GatewayException) e));
        });
    }

    private Response failurePage(String token, ConnectSessionService.Lookup lookup, String subdomain, GatewayException e) {
        String host = subdomain + "." + config.upstream().domain();
        Entered entered = switch (e.code()) {
            case CONNECTION_TEST_FAILED -> new Entered(subdomain, null, "Hex rejected this token for " + host
                    + ". Check that it was copied whole, has not expired or been revoked, and belongs to this subdomain.",
                    null, "connection_test_failed");
            case UPSTREAM_RATE_LIMITED -> new Entered(subdomain, null, null,
                    "Hex is limiting requests for this token right now. Wait a minute, then submit again.", "unknown_error");
            case UPSTREAM_UNREACHABLE, UPSTREAM_TIMEOUT -> new Entered(subdomain, null, null, "Hex at " + host
                    + " could not be reached. Check the subdomain, or try again in a minute.", "unknown_error");
            case UNKNOWN_CONNECTION -> new Entered(subdomain, null, null,
                    "The connection this link was for has been deleted; nothing was saved. Ask for a new link.",
                    "unknown_error");
            default -> new Entered(subdomain, null, null,
                    "The connection could not be saved right now; nothing was saved. Try again in a minute.", "unknown_error");
        };
        Frame frame = frame();
        return page(e.code().status(), frame, formPage(frame, token, lookup, entered));
    }

    private static Entered check(String subdomain, String token) {
        String subdomainError = Validation.isSubdomain(subdomain) ? null
                : subdomain == null || subdomain.isEmpty() ? "Enter your Hex subdomain, for example app."
                        : "This is not a Hex subdomain. Use only the part before .hex.tech: lower-case letters, digits and "
                                + "hyphens, such as app, eu or acme.";
        String tokenError = Validation.isToken(token) ? null
                : token == null || token.isEmpty() ? "Enter an API token."
                        : "This is not a Hex API token. It starts with hxtp_ or hxtw_ followed by 16 or more letters and digits.";
        return subdomainError == null && tokenError == null ? null
                : new Entered(subdomain, subdomainError, tokenError, null, "connection_validation_failed");
    }

    private TemplateInstance formPage(Frame frame, String token, ConnectSessionService.Lookup lookup, Entered entered) {
        ConnectSession session = lookup.record().value();
        String who = session.endUser() == null ? null
                : session.endUser().email() != null ? session.endUser().email()
                        : session.endUser().displayName() != null ? session.endUser().displayName() : session.endUser().id();
        String message = entered.general() != null ? entered.general()
                : entered.tokenError() != null ? entered.tokenError() : entered.subdomainError();
        return new Form(frame, token, session.presetSubdomain(),
                session.presetSubdomain() == null && Validation.isSubdomain(entered.subdomain()) ? entered.subdomain() : null,
                entered.subdomainError(), entered.tokenError(), entered.general(), who, session.isReconnect(),
                entered.errorType(), message);
    }

    private TemplateInstance successPage(Frame frame, Connection c, boolean reconnect) {
        return new Done(frame, c.connectionId(), c.providerConfigKey(), c.subdomain() + "." + config.upstream().domain(),
                c.hex().userEmail(), c.hex().orgId(),
                c.hex().tokenType().equals("workspace") ? "Workspace token" : "Personal access token",
                c.hex().tokenExpiresAt() == null ? null : HUMAN_DATE.format(Instant.parse(c.hex().tokenExpiresAt())),
                reconnect);
    }

    private Response closedPage(ConnectSessionService.State state) {
        String heading = switch (state) {
            case EXPIRED -> "This link has expired";
            case USED -> "This link has already been used";
            default -> "This link is not valid";
        };
        String message = switch (state) {
            case EXPIRED -> "Connect links are valid for a limited time, and this one has run out.";
            case USED -> "A Hex account was already connected with this link. Each link works once.";
            default -> "The link is incomplete or unknown. Check that you opened the whole link.";
        };
        int status = state == ConnectSessionService.State.UNKNOWN ? 404 : 410;
        Frame frame = frame();
        return page(status, frame, new Closed(frame, heading, message, "unknown_error"));
    }

    /**
     * The submit came from this page: Fetch Metadata, when the browser sends it, says same-origin, and the Origin, when
     * sent, is this gateway's (the Host the browser used, or HEXGATE_PUBLIC_URL's), or {@code null} vouched for by Fetch
     * Metadata. Together with the session token that
     * only the page holds, this is the CSRF protection (docs/security.md); it needs no cookie, so it also works in a
     * third-party iframe where cookies are blocked.
     */
    private boolean fromThisPage(String fetchSite, String origin, String host) {
        if (fetchSite != null && !fetchSite.equals("same-origin") && !fetchSite.equals("none")) {
            return false;
        }
        if (origin == null) {
            return true;
        }
        if (origin.equals("null")) {
            // Under the page's Referrer-Policy no-referrer, browsers send "Origin: null" with its own form posts; then
            // Fetch Metadata must vouch for it.
            return "same-origin".equals(fetchSite);
        }
        String authority;
        try {
            authority = URI.create(origin).getRawAuthority();
        } catch (IllegalArgumentException e) {
            return false;
        }
        return authority != null && (authority.equalsIgnoreCase(host)
                || authority.equalsIgnoreCase(config.publicUrl().getRawAuthority()));
    }

    private Frame frame() {
        return new Frame(random.hex(16), origins.json());
    }

    private Response page(int status, Frame frame, TemplateInstance html) {
        return Response.status(status).type(MediaType.TEXT_HTML_TYPE.withCharset("UTF-8"))
                .header(HtmlSecurityHeaders.CSP, headers.policy(frame.nonce())).entity(html.render()).build();
    }

    private static String trim(String value) {
        return value == null ? null : value.trim();
    }
}
