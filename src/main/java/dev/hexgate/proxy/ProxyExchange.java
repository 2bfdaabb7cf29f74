package dev.hexgate.proxy;

import java.util.concurrent.TimeoutException;

import org.jboss.logging.Logger;

import dev.hexgate.error.ErrorCode;
import dev.hexgate.error.ErrorResponses;
import dev.hexgate.error.GatewayException;
import dev.hexgate.hex.HexOrigin;
import io.vertx.core.MultiMap;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.http.HttpVersion;

/**
 * One proxied request on its way to Hex and back: both bodies are piped with back-pressure, never collected, and a caller
 * that goes away cancels the upstream request.
 */
final class ProxyExchange {

    private static final Logger LOG = Logger.getLogger(ProxyExchange.class);

    private final HttpServerRequest request;
    private final HttpServerResponse response;
    private final String requestId;
    private final UpstreamClient upstream;
    private final ErrorResponses errors;
    private final long maxBodySize;
    private HttpClientRequest upstreamRequest;
    private LimitedBody body;

    ProxyExchange(HttpServerRequest request, String requestId, UpstreamClient upstream, ErrorResponses errors, long maxBodySize) {
        this.request = request;
        this.response = request.response();
        this.requestId = requestId;
        this.upstream = upstream;
        this.errors = errors;
        this.maxBodySize = maxBodySize;
    }

    void start(HexOrigin origin, String pathAndQuery, String token) {
        boolean hasBody = hasBody();
        MultiMap headers = HeaderPolicy.upstreamRequest(request.headers(), requestId, token, hasBody,
                request.getHeader("Content-Length"));
        upstream.open(origin, request.method(), pathAndQuery, headers).onComplete(opened -> {
            if (opened.failed()) {
                LOG.debugf("Upstream connection to %s failed: %s", origin.host(), opened.cause().getClass().getSimpleName());
                fail(new GatewayException(ErrorCode.UPSTREAM_UNREACHABLE, "Hex at " + origin.host() + " could not be reached."));
                return;
            }
            upstreamRequest = opened.result();
            response.closeHandler(v -> cancelUpstream());
            if (hasBody) {
                body = new LimitedBody(request, maxBodySize, () -> fail(tooLarge()));
                upstreamRequest.send(body).onComplete(sent -> onResponse(sent.succeeded() ? sent.result() : null, sent.cause(), origin));
            } else {
                request.resume();
                upstreamRequest.send().onComplete(sent -> onResponse(sent.succeeded() ? sent.result() : null, sent.cause(), origin));
            }
        });
    }

    /** Build notes §3: a body exists unless the request ended or declares length 0; HTTP/2 requests may carry neither header. */
    private boolean hasBody() {
        if (request.isEnded()) {
            return false;
        }
        String length = request.getHeader("Content-Length");
        if (length != null) {
            return !length.trim().equals("0");
        }
        return request.getHeader("Transfer-Encoding") != null || request.version() == HttpVersion.HTTP_2;
    }

    private void onResponse(HttpClientResponse upstreamResponse, Throwable failure, HexOrigin origin) {
        if (upstreamResponse == null) {
            upstreamFailed(failure, origin);
            return;
        }
        response.setStatusCode(upstreamResponse.statusCode());
        response.setStatusMessage(upstreamResponse.statusMessage());
        HeaderPolicy.copyResponse(upstreamResponse.headers(), response.headers(), requestId);
        int status = upstreamResponse.statusCode();
        boolean bodiless = request.method() == HttpMethod.HEAD || status == 204 || status == 304 || status < 200;
        if (!bodiless && upstreamResponse.getHeader("Content-Length") == null) {
            response.setChunked(true);
        }
        upstreamResponse.pipe().endOnFailure(false).to(response).onFailure(e -> {
            // Hex or the caller broke off mid-body: cut both sides rather than send a truncated body as complete.
            cancelUpstream();
            response.reset();
        });
    }

    private void upstreamFailed(Throwable failure, HexOrigin origin) {
        if (body != null && body.exceeded()) {
            fail(tooLarge());
        } else if (isTimeout(failure)) {
            fail(new GatewayException(ErrorCode.UPSTREAM_TIMEOUT, "Hex at " + origin.host() + " did not answer in time."));
        } else {
            LOG.debugf("Upstream request to %s failed: %s", origin.host(), failure == null ? "?" : failure.getClass().getSimpleName());
            fail(new GatewayException(ErrorCode.UPSTREAM_UNREACHABLE,
                    "Hex at " + origin.host() + " closed the connection before answering."));
        }
    }

    private GatewayException tooLarge() {
        return new GatewayException(ErrorCode.REQUEST_TOO_LARGE,
                "The request body is larger than the limit of " + maxBodySize + " bytes.");
    }

    private void fail(GatewayException error) {
        cancelUpstream();
        if (response.ended() || response.closed()) {
            return;
        }
        errors.write(request, error);
    }

    private void cancelUpstream() {
        if (upstreamRequest != null && !response.ended()) {
            upstreamRequest.reset();
        }
    }

    private static boolean isTimeout(Throwable failure) {
        for (Throwable c = failure; c != null; c = c.getCause()) {
            if (c instanceof TimeoutException) {
                return true;
            }
        }
        return false;
    }
}
