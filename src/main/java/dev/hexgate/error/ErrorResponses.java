package dev.hexgate.error;

import jakarta.enterprise.context.ApplicationScoped;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.http.HttpVersion;

/** Writes a gateway error straight onto a Vert.x response, for routes outside Quarkus REST (the proxy). */
@ApplicationScoped
public class ErrorResponses {

    private final ObjectMapper mapper;

    public ErrorResponses(ObjectMapper mapper) {
        this.mapper = mapper;
    }

    public void write(HttpServerRequest request, GatewayException error) {
        HttpServerResponse response = request.response();
        if (response.headWritten()) {
            // Too late for a status: cut the response so the caller cannot mistake it for a complete one.
            response.reset();
            return;
        }
        Buffer body;
        try {
            body = Buffer.buffer(mapper.writeValueAsBytes(error.body()));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
        response.setStatusCode(error.code().status());
        response.headers().remove("Content-Length").remove("Transfer-Encoding");
        response.putHeader("Content-Type", "application/json");
        error.headers().forEach(response::putHeader);
        boolean http1 = request.version() != HttpVersion.HTTP_2;
        boolean unreadBody = http1 && !request.isEnded() && bodyFollows(request);
        if (unreadBody) {
            // An unread upload is not drained: the connection is closed once the error is sent.
            response.putHeader("Connection", "close");
        } else if (!request.isEnded()) {
            // Framed without a body: let the paused request end so the connection can carry the caller's next one.
            request.resume();
        }
        response.end(body).onComplete(done -> {
            if (unreadBody) {
                request.connection().close();
            }
        });
    }

    /** RFC 9112 §6.3: an HTTP/1.1 request carries a body only when Transfer-Encoding or a non-zero Content-Length says so. */
    private static boolean bodyFollows(HttpServerRequest request) {
        if (request.headers().contains("Transfer-Encoding")) {
            return true;
        }
        String length = request.getHeader("Content-Length");
        return length != null && !length.trim().equals("0");
    }
}
