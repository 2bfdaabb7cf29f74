package dev.hexgate.hex;

import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.core.Response;

import io.smallrye.mutiny.Uni;

/**
 * The one Hex endpoint hexgate calls itself (GET /api/v1/users/me, https://learn.hex.tech/docs/api-integrations/api/reference),
 * as a Quarkus REST Client built per subdomain.
 */
@Path("/v1/users/me")
public interface HexApi extends AutoCloseable {

    @GET
    Uni<Response> me(@HeaderParam("Authorization") String authorization, @HeaderParam("Host") String host);
}
