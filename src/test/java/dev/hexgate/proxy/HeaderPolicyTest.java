package dev.hexgate.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Set;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import io.vertx.core.MultiMap;
import io.vertx.core.http.HttpMethod;

/** Every row of HeaderPolicy: what a caller's header becomes on its way to Hex, and what Hex's becomes on the way back. */
class HeaderPolicyTest {

    private static final String TOKEN = "hxtp_storedToken000000000000";

    private static String toHex(String name, String value, String connection) {
        MultiMap caller = MultiMap.caseInsensitiveMultiMap().add(name, value);
        if (connection != null) {
            caller.add("Connection", connection);
        }
        MultiMap out = HeaderPolicy.upstreamRequest(HttpMethod.GET, caller, "req-1", TOKEN, false, null, Set.of());
        StringBuilder seen = new StringBuilder();
        out.forEach(h -> {
            if (!h.getKey().equalsIgnoreCase("Authorization") && !h.getKey().equalsIgnoreCase("X-Request-Id")) {
                seen.append(h.getKey()).append('=').append(h.getValue()).append(';');
            }
        });
        assertEquals("Bearer " + TOKEN, out.get("Authorization"), "the stored token is always the one sent");
        assertEquals("req-1", out.get("X-Request-Id"));
        return seen.toString();
    }

    @ParameterizedTest(name = "{0}: {1} -> [{3}]")
    @CsvSource(delimiter = '|', nullValues = "-", value = {
            // end-to-end headers pass as they are
            "Accept | application/json | - | Accept=application/json;",
            "Content-Type | text/csv | - | Content-Type=text/csv;",
            "If-None-Match | \"abc\" | - | If-None-Match=\"abc\";",
            "User-Agent | sdk/1 | - | User-Agent=sdk/1;",
            // Nango-Proxy-<Name> is renamed, with the same rules for the new name
            "Nango-Proxy-X-Hex-Flag | 1 | - | X-Hex-Flag=1;",
            "Nango-Proxy-Authorization | Bearer stolen | - | ''",
            "Nango-Proxy-Host | evil.example | - | ''",
            "Nango-Proxy-Cookie | a=b | - | ''",
            "Nango-Proxy-Nango-Proxy-X | 1 | - | ''",
            // caller credentials and routing: token exfiltration, host and forwarding spoofing
            "Authorization | Bearer caller-key | - | ''",
            "Proxy-Authorization | Basic x | - | ''",
            "Cookie | session=1 | - | ''",
            "Host | evil.example | - | ''",
            "Forwarded | for=1.2.3.4 | - | ''",
            "X-Forwarded-For | 1.2.3.4 | - | ''",
            "X-Forwarded-Host | evil.example | - | ''",
            "X-Real-IP | 1.2.3.4 | - | ''",
            "Expect | 100-continue | - | ''",
            // W3C trace context crosses; the caller's baggage (application data) does not
            "traceparent | 00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01 | - | traceparent=00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01;",
            "baggage | userId=alice | - | ''",
            // RFC 9110 §7.6.1: hop-by-hop, and anything the Connection header names
            "Keep-Alive | timeout=5 | - | ''",
            "TE | trailers | - | ''",
            "Upgrade | h2c | - | ''",
            "X-Secret-Hop | 1 | X-Secret-Hop | ''",
            // the gateway's own control headers mean nothing to Hex
            "Connection-Id | acme | - | ''",
            "Provider-Config-Key | hex | - | ''",
            "Retries | 3 | - | ''",
            "Retry-On | 503 | - | ''",
            "Base-Url-Override | '' | - | ''",
            "Decompress | true | - | ''",
            "Forward-Headers-On-Redirect | true | - | ''",
            "Nango-Activity-Log-Id | x | - | ''",
            "Nango-Is-Sync | true | - | ''",
    })
    void forwardsOrDropsEachCallerHeader(String name, String value, String connection, String expected) {
        assertEquals(expected, toHex(name, value, connection));
    }

    @Test
    void leavesTheTraceHeadersToTheTracerWhileTracingIsOn() {
        MultiMap caller = MultiMap.caseInsensitiveMultiMap()
                .add("traceparent", "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01").add("tracestate", "k=v")
                .add("Nango-Proxy-traceparent", "00-1af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01")
                .add("Accept", "application/json");
        MultiMap out = HeaderPolicy.upstreamRequest(HttpMethod.GET, caller, "req-1", TOKEN, false, null,
                Set.of("traceparent", "tracestate"));
        assertEquals(null, out.get("traceparent"), "the tracer writes one, continuing the caller's trace");
        assertEquals(null, out.get("tracestate"));
        assertEquals("application/json", out.get("Accept"));
    }

    @ParameterizedTest(name = "{0} from Hex -> [{2}]")
    @CsvSource(delimiter = '|', value = {
            "Content-Type | application/json | Content-Type=application/json;",
            "ETag | \"v1\" | ETag=\"v1\";",
            "X-Trace-Id | t-1 | X-Trace-Id=t-1;",
            "Retry-After | 30 | Retry-After=30;",
            "Connection | close | ''",
            "Keep-Alive | timeout=5 | ''",
            "Transfer-Encoding | chunked | ''",
            "X-Request-Id | hex-own-id | ''",
            "Set-Cookie | hexsession=1 | ''",
            "Alt-Svc | h3=\":443\" | ''",
    })
    void copiesEachHexResponseHeaderExceptHopByHop(String name, String value, String expected) {
        MultiMap out = MultiMap.caseInsensitiveMultiMap();
        HeaderPolicy.copyResponse(MultiMap.caseInsensitiveMultiMap().add(name, value), out, "req-1");
        StringBuilder seen = new StringBuilder();
        out.forEach(h -> {
            if (!h.getKey().equalsIgnoreCase("X-Request-Id")) {
                seen.append(h.getKey()).append('=').append(h.getValue()).append(';');
            }
        });
        assertEquals(expected, seen.toString());
        assertEquals("req-1", out.get("X-Request-Id"), "the gateway's request id replaces Hex's");
    }
}
