import java.util.ArrayDeque;

import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.epoll.EpollEventLoopGroup;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.util.AttributeKey;
import io.netty.util.concurrent.FastThreadLocal;

/**
 * The floor below Vert.x for bench/peers.sh: a bare Netty reverse proxy on the Netty that Quarkus brings. One epoll
 * event loop per core; each loop keeps its own pool of keep-alive connections to the upstream, so a request never leaves
 * the loop it arrived on. Messages are aggregated (up to 1 MiB; the benchmark's bodies are small) and forwarded with
 * the same two headers set as hexgate sets (Host and Authorization).
 * Usage: java -cp <quarkus-app/lib/main/*> bench/peers/NettyProxy.java <listen port> <upstream port> <token>
 */
public class NettyProxy {

    private static final AttributeKey<Channel> CALLER = AttributeKey.valueOf("caller");
    private static final FastThreadLocal<ArrayDeque<Channel>> POOL = new FastThreadLocal<>() {
        @Override
        protected ArrayDeque<Channel> initialValue() {
            return new ArrayDeque<>();
        }
    };

    public static void main(String[] args) throws Exception {
        int port = Integer.parseInt(args[0]);
        int upstream = Integer.parseInt(args[1]);
        String authorization = "Bearer " + args[2];
        int loops = Runtime.getRuntime().availableProcessors();
        EpollEventLoopGroup group = new EpollEventLoopGroup(loops);
        Bootstrap client = new Bootstrap().channel(EpollSocketChannel.class).option(ChannelOption.TCP_NODELAY, true)
                .handler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        ch.pipeline().addLast(new HttpClientCodec(), new HttpObjectAggregator(1 << 20), new Answer());
                    }
                });
        new ServerBootstrap().group(group).channel(EpollServerSocketChannel.class)
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        ch.pipeline().addLast(new HttpServerCodec(), new HttpObjectAggregator(1 << 20),
                                new Forward(client, upstream, authorization));
                    }
                }).bind(port).sync();
        System.out.println("netty proxy on " + port + ", " + loops + " epoll event loops");
    }

    /** A caller's request: onto a pooled upstream connection of this loop, or a new one. */
    static final class Forward extends SimpleChannelInboundHandler<FullHttpRequest> {
        private final Bootstrap client;
        private final int upstream;
        private final String authorization;

        Forward(Bootstrap client, int upstream, String authorization) {
            this.client = client;
            this.upstream = upstream;
            this.authorization = authorization;
        }

        @Override
        protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest request) {
            FullHttpRequest outbound = request.retainedDuplicate();
            outbound.setUri("/api" + request.uri());
            outbound.headers().set(HttpHeaderNames.HOST, "app.hex.tech").set(HttpHeaderNames.AUTHORIZATION, authorization);
            Channel caller = ctx.channel();
            EventLoop loop = ctx.channel().eventLoop();
            Channel pooled = POOL.get().pollFirst();
            if (pooled != null && pooled.isActive()) {
                send(pooled, caller, outbound);
                return;
            }
            client.clone(loop).connect("127.0.0.1", upstream).addListener((ChannelFutureListener) f -> {
                if (f.isSuccess()) {
                    send(f.channel(), caller, outbound);
                } else {
                    outbound.release();
                    caller.writeAndFlush(new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.BAD_GATEWAY));
                }
            });
        }

        private static void send(Channel upstream, Channel caller, FullHttpRequest outbound) {
            upstream.attr(CALLER).set(caller);
            upstream.writeAndFlush(outbound);
        }
    }

    /** The upstream's answer: back to the caller, and the connection back into its loop's pool. */
    static final class Answer extends SimpleChannelInboundHandler<FullHttpResponse> {
        @Override
        protected void channelRead0(ChannelHandlerContext ctx, FullHttpResponse response) {
            Channel caller = ctx.channel().attr(CALLER).getAndSet(null);
            boolean reusable = HttpUtil.isKeepAlive(response);
            if (caller != null) {
                caller.writeAndFlush(response.retainedDuplicate());
            }
            if (reusable) {
                POOL.get().addFirst(ctx.channel());
            } else {
                ctx.close();
            }
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            ctx.close();
        }
    }
}
