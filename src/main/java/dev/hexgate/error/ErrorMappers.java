package dev.hexgate.error;

import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

import jakarta.ws.rs.NotAllowedException;
import jakarta.ws.rs.NotFoundException;
import jakarta.ws.rs.NotSupportedException;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.UriInfo;

import org.jboss.logging.Logger;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.exc.StreamReadException;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;

/** The one place where exceptions from the backend API become Nango-shaped JSON errors. */
public class ErrorMappers {

    private static final Logger LOG = Logger.getLogger(ErrorMappers.class);

    public static Response toResponse(GatewayException e) {
        Response.ResponseBuilder rb = Response.status(e.code().status())
                .type(MediaType.APPLICATION_JSON_TYPE)
                .entity(e.body());
        e.headers().forEach(rb::header);
        return rb.build();
    }

    @ServerExceptionMapper
    public Response gateway(GatewayException e) {
        return toResponse(e);
    }

    @ServerExceptionMapper
    public Response unrecognizedField(UnrecognizedPropertyException e) {
        String field = path(e);
        return toResponse(new GatewayException(ErrorCode.INVALID_BODY, "The request body has an unknown field.",
                List.of(ErrorDetail.of(field, "unknown field"))));
    }

    /** Declared for this exact type: Quarkus REST has a built-in mapper for it that would otherwise win. */
    @ServerExceptionMapper
    public Response mismatchedInput(MismatchedInputException e) {
        return badJson(e);
    }

    @ServerExceptionMapper
    public Response badJson(JsonProcessingException e) {
        if (e instanceof StreamReadException) {
            // Jackson's own text can quote the input; it is never shown.
            return toResponse(new GatewayException(ErrorCode.INVALID_JSON, "The request body is not well-formed JSON."));
        }
        String field = e instanceof JsonMappingException jme ? path(jme) : "body";
        return toResponse(new GatewayException(ErrorCode.INVALID_BODY, "The request body does not have the expected shape.",
                List.of(ErrorDetail.of(field.isEmpty() ? "body" : field, "wrong type or shape"))));
    }

    @ServerExceptionMapper
    public Response notFound(NotFoundException e) {
        return toResponse(new GatewayException(ErrorCode.NOT_FOUND, "No such route."));
    }

    /** With the {@code Allow} header RFC 9110 requires on a 405 (schemathesis found it missing). */
    @ServerExceptionMapper
    public Response notAllowed(NotAllowedException e, UriInfo uri) {
        Map<String, String> allow = AllowedMethods.of(uri.getPath()).map(methods -> Map.of(HttpHeaders.ALLOW, methods))
                .orElse(Map.of());
        return toResponse(new GatewayException(ErrorCode.METHOD_NOT_ALLOWED, "This method is not allowed on this route.",
                List.of(), allow));
    }

    @ServerExceptionMapper
    public Response unsupported(NotSupportedException e) {
        return toResponse(new GatewayException(ErrorCode.UNSUPPORTED_MEDIA_TYPE, "Send the body as application/json."));
    }

    @ServerExceptionMapper
    public Response web(WebApplicationException e) {
        if (e.getCause() instanceof JsonProcessingException json) {
            // Quarkus REST wraps body-reading failures; they are reported as the JSON errors they are.
            return json instanceof UnrecognizedPropertyException unknown ? unrecognizedField(unknown) : badJson(json);
        }
        int status = e.getResponse().getStatus();
        if (status >= 500) {
            LOG.errorf("Request failed with status %d (%s)", status, e.getClass().getName());
            return toResponse(new GatewayException(ErrorCode.SERVER_ERROR, "The gateway failed to handle the request."));
        }
        ErrorCode code = status == 401 ? ErrorCode.UNKNOWN_SECRET_KEY
                : status == 403 ? ErrorCode.FORBIDDEN : status == 404 ? ErrorCode.NOT_FOUND : ErrorCode.INVALID_BODY;
        return toResponse(new GatewayException(code, "The request was refused."));
    }

    @ServerExceptionMapper
    public Response unexpected(RuntimeException e) {
        // Logged by class and stack only: messages from libraries can quote inputs, so the message is redacted.
        LOG.errorf("Unexpected failure: %s: %s", e.getClass().getName(), Redaction.redact(String.valueOf(e.getMessage())));
        return toResponse(new GatewayException(ErrorCode.SERVER_ERROR, "The gateway failed to handle the request."));
    }

    private static String path(JsonMappingException e) {
        return e.getPath().stream()
                .map(r -> r.getFieldName() != null ? r.getFieldName() : String.valueOf(r.getIndex()))
                .map(s -> s.length() > 64 ? s.substring(0, 64) : s)
                .collect(Collectors.joining("."));
    }
}
