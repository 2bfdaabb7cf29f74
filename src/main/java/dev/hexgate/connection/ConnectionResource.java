package dev.hexgate.connection;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.PATCH;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.MultivaluedMap;
import jakarta.ws.rs.core.UriInfo;

import org.jboss.resteasy.reactive.RestResponse;

import dev.hexgate.audit.AuditLog;
import dev.hexgate.auth.BackendApi;
import dev.hexgate.auth.SecretKeys;
import dev.hexgate.error.ErrorCode;
import dev.hexgate.error.ErrorDetail;
import dev.hexgate.error.GatewayException;
import dev.hexgate.error.QueryParams;
import dev.hexgate.integration.IntegrationKey;
import io.smallrye.mutiny.Uni;

/** The Nango-shaped connections API of docs/contract.md §4. */
@Path("/connections")
@BackendApi
@Produces(MediaType.APPLICATION_JSON)
public class ConnectionResource {

    private static final Set<String> LIST_PARAMS = Set.of("connectionId", "endUserId", "limit", "page");
    private static final Set<String> GET_PARAMS = Set.of("provider_config_key", "force_refresh", "refresh_token",
            "refresh_github_app_jwt_token");
    private static final Set<String> DELETE_PARAMS = Set.of("provider_config_key");
    /**
     * {@code tags[key]}: a key without brackets (a nested {@code tags[a][b]} is refused as an unknown parameter); a key no
     * tag can have (empty, over 255 characters) simply matches no connection.
     */
    private static final Pattern TAG_PARAM = Pattern.compile("tags\\[([^\\[\\]]*)]");

    private final ConnectionService service;
    private final IntegrationKey integration;
    private final AuditLog audit;

    public ConnectionResource(ConnectionService service, IntegrationKey integration, AuditLog audit) {
        this.service = service;
        this.integration = integration;
        this.audit = audit;
    }

    /** Nango's list envelope. */
    public record ConnectionList(List<ConnectionView> connections) {
    }

    @POST
    @Consumes(MediaType.APPLICATION_JSON)
    public Uni<RestResponse<ConnectionView>> link(LinkRequest request, @Context UriInfo uri,
            @HeaderParam(HttpHeaders.AUTHORIZATION) String authorization) {
        String id = request == null ? null : request.connectionId();
        return Uni.createFrom().deferred(() -> {
            QueryParams.requireOnly(uri.getQueryParameters(), Set.of());
            return service.link(request);
        })
                .invoke(c -> audit.byKey(SecretKeys.keyId(authorization), "link", c.connectionId(),
                        c.createdAt().equals(c.updatedAt()) ? "created" : "replaced"))
                .onFailure(GatewayException.class).invoke(e -> audit.byKey(SecretKeys.keyId(authorization), "link", id,
                        "refused:" + ((GatewayException) e).code().code()))
                .map(c -> RestResponse.status(RestResponse.Status.CREATED, ConnectionView.full(c)));
    }

    /** {@code setMetadata}: replaces the metadata of one or more connections; 201 echoing the request. */
    @POST
    @Path("/metadata")
    @Consumes(MediaType.APPLICATION_JSON)
    public Uni<RestResponse<MetadataRequest>> setMetadata(MetadataRequest request, @Context UriInfo uri,
            @HeaderParam(HttpHeaders.AUTHORIZATION) String authorization) {
        return metadata(request, false, uri, authorization)
                .map(done -> RestResponse.status(RestResponse.Status.CREATED, request));
    }

    /** {@code updateMetadata}: merges into the metadata of one or more connections (top-level keys); 200 echoing it. */
    @PATCH
    @Path("/metadata")
    @Consumes(MediaType.APPLICATION_JSON)
    public Uni<MetadataRequest> updateMetadata(MetadataRequest request, @Context UriInfo uri,
            @HeaderParam(HttpHeaders.AUTHORIZATION) String authorization) {
        return metadata(request, true, uri, authorization).replaceWith(request);
    }

    /**
     * A connection id, not a route, as far as reading and deleting go: {@code GET} and {@code DELETE} here are those of
     * the connection called {@code metadata}, which a link can no longer create (one linked before can still be read and
     * deleted). Declared so that the route's methods are the ones it answers.
     */
    @GET
    @Path("/metadata")
    public Uni<ConnectionView> getNamedMetadata(@Context UriInfo uri) {
        return get("metadata", uri);
    }

    @DELETE
    @Path("/metadata")
    public Uni<Map<String, Boolean>> deleteNamedMetadata(@Context UriInfo uri,
            @HeaderParam(HttpHeaders.AUTHORIZATION) String authorization) {
        return delete("metadata", uri, authorization);
    }

    private Uni<Void> metadata(MetadataRequest request, boolean merge, UriInfo uri, String authorization) {
        String action = merge ? "update_metadata" : "set_metadata";
        String ids = request == null || request.connectionId() == null ? null
                : request.connectionId().isTextual() ? request.connectionId().asText() : request.connectionId().toString();
        return audited(Uni.createFrom().deferred(() -> {
            QueryParams.requireOnly(uri.getQueryParameters(), Set.of());
            return service.metadata(request, merge);
        }), authorization, action, ids, "changed");
    }

    /** {@code patchConnection}: the tags, end user and webhook override of one connection. */
    @PATCH
    @Path("/{connectionId}")
    @Consumes(MediaType.APPLICATION_JSON)
    public Uni<Map<String, Boolean>> patch(@PathParam("connectionId") String connectionId, PatchRequest request,
            @Context UriInfo uri, @HeaderParam(HttpHeaders.AUTHORIZATION) String authorization) {
        return audited(Uni.createFrom().deferred(() -> {
            QueryParams.requireOnly(uri.getQueryParameters(), DELETE_PARAMS);
            integration.requireIfPresent(uri.getQueryParameters().getFirst("provider_config_key"), "provider_config_key");
            return service.patch(connectionId, request);
        }), authorization, "patch", connectionId, "changed").replaceWith(Map.of("success", true));
    }

    /**
     * Lists connections; {@code tags[key]=value} (as {@code @nangohq/node} sends a {@code tags} filter) keeps those with
     * all of those tags. Without an index for tags, a tagged page is found by reading from the first entry (combine it
     * with {@code endUserId} to narrow the walk on large installations).
     */
    @GET
    public Uni<ConnectionList> list(@Context UriInfo uri) {
        MultivaluedMap<String, String> query = uri.getQueryParameters();
        QueryParams.requireOnly(query, LIST_PARAMS, key -> TAG_PARAM.matcher(key).matches());
        Map<String, String> tags = new LinkedHashMap<>();
        query.forEach((key, values) -> {
            Matcher tag = TAG_PARAM.matcher(key);
            if (tag.matches()) {
                tags.put(tag.group(1), values.get(0));
            }
        });
        int limit = number(query, "limit", 100, 1, 1000);
        int page = number(query, "page", 0, 0, Integer.MAX_VALUE);
        return service.list(Optional.ofNullable(query.getFirst("connectionId")).filter(s -> !s.isEmpty()),
                Optional.ofNullable(query.getFirst("endUserId")).filter(s -> !s.isEmpty()), tags, limit, page)
                .map(list -> new ConnectionList(list.stream().map(ConnectionView::listItem).toList()));
    }

    @GET
    @Path("/{connectionId}")
    public Uni<ConnectionView> get(@PathParam("connectionId") String connectionId, @Context UriInfo uri) {
        QueryParams.requireOnly(uri.getQueryParameters(), GET_PARAMS);
        integration.requireIfPresent(uri.getQueryParameters().getFirst("provider_config_key"), "provider_config_key");
        return service.get(connectionId).map(ConnectionView::full);
    }

    @DELETE
    @Path("/{connectionId}")
    public Uni<Map<String, Boolean>> delete(@PathParam("connectionId") String connectionId, @Context UriInfo uri,
            @HeaderParam(HttpHeaders.AUTHORIZATION) String authorization) {
        QueryParams.requireOnly(uri.getQueryParameters(), DELETE_PARAMS);
        integration.requireIfPresent(uri.getQueryParameters().getFirst("provider_config_key"), "provider_config_key");
        return audited(service.delete(connectionId), authorization, "delete", connectionId, "deleted")
                .replaceWith(Map.of("success", true));
    }

    /** One audit line for a change asked for with a secret key: {@code outcome} when done, the error's code when refused. */
    private <T> Uni<T> audited(Uni<T> change, String authorization, String action, String connectionId, String outcome) {
        return change.invoke(() -> audit.byKey(SecretKeys.keyId(authorization), action, connectionId, outcome))
                .onFailure(GatewayException.class).invoke(e -> audit.byKey(SecretKeys.keyId(authorization), action,
                        connectionId, "refused:" + ((GatewayException) e).code().code()));
    }

    private static int number(MultivaluedMap<String, String> query, String name, int fallback, int min, int max) {
        String raw = query.getFirst(name);
        if (raw == null || raw.isEmpty()) {
            return fallback;
        }
        try {
            int value = Integer.parseInt(raw);
            if (value >= min && value <= max) {
                return value;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new GatewayException(ErrorCode.INVALID_QUERY_PARAMS,
                name + " must be a whole number from " + min + " to " + max + ".",
                List.of(ErrorDetail.of(name, "out of range")));
    }
}
