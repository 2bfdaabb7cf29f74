package dev.hexgate.domain;

/** A connection together with its Hex token, as the store holds it; never serialised to a caller. */
public record StoredConnection(Connection connection, String token) {

    public String connectionId() {
        return connection.connectionId();
    }

    @Override
    public String toString() {
        return "StoredConnection[" + connection.connectionId() + ", token=" + connection.hex().tokenHint() + "]";
    }
}
