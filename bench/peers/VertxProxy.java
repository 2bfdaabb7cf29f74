import io.vertx.core.AbstractVerticle;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;

/**
 * The floor of hexgate's own stack for bench/peers.sh: a bare Vert.x reverse proxy on the Vert.x that Quarkus brings,
 * one event loop per core (a server and a pooled HttpClient on each), epoll, bodies piped both ways, and the same two headers set as hexgate
 * sets (Host and Authorization). No routing, no checks, no metrics: what any proxy on this stack has to do, and no more.
 * Usage: java -cp <quarkus-app/lib/main/*> bench/peers/VertxProxy.java <listen port> <upstream port> <token>
 */
public class VertxProxy {

    public static void main(String[] args) {
        int port = Integer.parseInt(args[0]);
        int upstream = Integer.parseInt(args[1]);
        String authorization = "Bearer " + args[2];
        int loops = Runtime.getRuntime().availableProcessors();
        Vertx vertx = Vertx.vertx(new VertxOptions().setPreferNativeTransport(true).setEventLoopPoolSize(loops));
        vertx.deployVerticle(() -> new AbstractVerticle() {
            @Override
            public void start() {
                HttpClient client = vertx.createHttpClient(new HttpClientOptions().setKeepAlive(true).setPipelining(false),
                        new PoolOptions().setHttp1MaxSize(256));
                vertx.createHttpServer(new HttpServerOptions().setTcpNoDelay(true)).requestHandler(request -> {
                    request.pause();
                    RequestOptions options = new RequestOptions().setHost("127.0.0.1").setPort(upstream)
                            .setMethod(request.method()).setURI("/api" + request.uri()).setHeaders(request.headers());
                    options.putHeader("Host", "app.hex.tech").putHeader("Authorization", authorization);
                    client.request(options).onSuccess(outbound -> {
                        outbound.response().onSuccess(answer -> {
                            request.response().setStatusCode(answer.statusCode()).headers().setAll(answer.headers());
                            answer.pipeTo(request.response());
                        }).onFailure(e -> request.response().setStatusCode(502).end());
                        request.pipeTo(outbound);
                    }).onFailure(e -> request.response().setStatusCode(502).end());
                }).listen(port);
            }
        }, new DeploymentOptions().setInstances(loops)).onSuccess(id -> System.out.println("vertx proxy on " + port
                + ", " + loops + " event loops, native transport " + vertx.isNativeTransportEnabled()));
    }
}
