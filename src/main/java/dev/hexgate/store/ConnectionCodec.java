package dev.hexgate.store;

import jakarta.enterprise.context.ApplicationScoped;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectReader;

import dev.hexgate.domain.ConnectSession;
import dev.hexgate.domain.Connection;

/**
 * Turns connections (without tokens) and connect sessions into the JSON text both stores keep, tolerant of fields added later.
 */
@ApplicationScoped
public class ConnectionCodec {

    private final ObjectMapper mapper;
    private final ObjectReader reader;
    private final ObjectReader sessionReader;

    public ConnectionCodec(ObjectMapper mapper) {
        this.mapper = mapper;
        this.reader = mapper.readerFor(Connection.class).without(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);
        this.sessionReader = mapper.readerFor(ConnectSession.class).without(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);
    }

    public String write(Connection connection) {
        try {
            return mapper.writeValueAsString(connection);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("Connection could not be serialised", e);
        }
    }

    public Connection read(String json) {
        try {
            return reader.readValue(json);
        } catch (JsonProcessingException e) {
            throw new StoreException("A stored connection could not be read (corrupt record)");
        }
    }

    public String writeSession(ConnectSession session) {
        try {
            return mapper.writeValueAsString(session);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("Connect session could not be serialised", e);
        }
    }

    public ConnectSession readSession(String json) {
        try {
            return sessionReader.readValue(json);
        } catch (JsonProcessingException e) {
            throw new StoreException("A stored connect session could not be read (corrupt record)");
        }
    }

    public ObjectMapper mapper() {
        return mapper;
    }
}
