package dev.hexgate.connectui;

import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;

import dev.hexgate.audit.AuditLog;
import dev.hexgate.config.HexgateConfig;
import dev.hexgate.connection.ConnectionService;
import dev.hexgate.domain.ConnectSession;
import dev.hexgate.domain.Connection;
import dev.hexgate.domain.NewConnection;
import dev.hexgate.error.GatewayException;
import io.smallrye.mutiny.Uni;

/**
 * Links a Hex account through an open connect session, for the form and for headless {@code nango.auth()} alike: Hex
 * vouches for the token, then the session is claimed (single use, on any replica), then the connection is stored; a
 * store failure gives the session back. A reconnect session replaces the token of its connection instead of creating one.
 */
@ApplicationScoped
public class SessionLinks {

    /** The session was used by another submission between this one's lookup and its claim. */
    static final class SessionUsed extends RuntimeException {
        SessionUsed() {
            super("connect session already used", null, false, false);
        }
    }

    private final ConnectSessionService sessions;
    private final ConnectionService connections;
    private final HexgateConfig config;
    private final AuditLog audit;

    public SessionLinks(ConnectSessionService sessions, ConnectionService connections, HexgateConfig config, AuditLog audit) {
        this.sessions = sessions;
        this.connections = connections;
        this.config = config;
        this.audit = audit;
    }

    /** The subdomain a submission links: the session's preset one, whatever was entered. */
    static String subdomain(ConnectSession session, String entered) {
        return session.presetSubdomain() != null ? session.presetSubdomain() : entered;
    }

    /** Links a validated subdomain and token through an open session; {@code via} names the caller in the audit log. */
    Uni<Connection> link(ConnectSessionService.Lookup open, String subdomain, String token, String via) {
        ConnectSession session = open.record().value();
        String id = session.isReconnect() ? session.reconnectConnectionId() : UUID.randomUUID().toString();
        NewConnection link = new NewConnection(id, config.providerConfigKey(), subdomain, token, null, session.endUser(),
                session.tags(), session.webhookUrlOverride(), true, session.isReconnect());
        String action = session.isReconnect() ? "reconnect" : "connect";
        return connections.verify(link).flatMap(account -> sessions.claim(open, id).flatMap(claimed -> {
            if (!claimed) {
                return Uni.createFrom().<Connection> failure(new SessionUsed());
            }
            return connections.store(link, account)
                    .onFailure().call(e -> sessions.release(open).onFailure().recoverWithNull());
        }))
                .invoke(connection -> audit.bySession(open.id(), action + via, connection.connectionId(),
                        session.isReconnect() ? "replaced" : "created"))
                .onFailure().invoke(e -> audit.bySession(open.id(), action + via, session.reconnectConnectionId(),
                        e instanceof GatewayException g ? "refused:" + g.code().code()
                                : e instanceof SessionUsed ? "refused:session_used" : "failed"));
    }
}
