package dev.hexgate.config;

import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;

import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Positive;
import jakarta.validation.constraints.PositiveOrZero;

import org.hibernate.validator.constraints.time.DurationMin;

import io.quarkus.runtime.configuration.MemorySize;
import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import io.smallrye.config.WithName;

/**
 * All of hexgate's settings; each comes from the environment variable named on its accessor. Hibernate Validator checks
 * them at start-up (each message names its variable), {@link ConsistentConfig} the ones that depend on each other; a
 * bad value refuses to start.
 */
@ConfigMapping(prefix = "hexgate")
@ConsistentConfig
public interface HexgateConfig {

    /** Values of the Vault mount and folder: segments of letters, digits, {@code _ . -}; never {@code .} or {@code ..}. */
    String PATH = "(?!\\.\\.?(/|$))[A-Za-z0-9_.-]+(/(?!\\.\\.?(/|$))[A-Za-z0-9_.-]+)*";

    /** An origin as browsers send it: {@code http(s)://host[:port]}, lower case, nothing after the port. */
    String ORIGIN = "https?://(\\[[0-9a-f:.]+\\]|[a-z0-9]([a-z0-9.-]*[a-z0-9])?)(:[0-9]{1,5})?";

    /** Values of the {@code *_EVERY} settings: a duration ({@code 30s}, {@code 1h}, ISO-8601) or {@code off}. */
    String EVERY = "(?i)off|disabled|\\d+(ms|s|m|h|d)?|P\\S+";

    /** {@code HEXGATE_API_KEYS}: comma-separated secret keys with full access; none by default. */
    Optional<List<String>> apiKeys();

    /** {@code HEXGATE_PROXY_API_KEYS}: comma-separated secret keys that may only call {@code /proxy}. */
    Optional<List<String>> proxyApiKeys();

    /** {@code HEXGATE_PROVIDER_CONFIG_KEY}: the integration key callers name, default {@code hex}. */
    @WithDefault("hex")
    @NotBlank(message = "(HEXGATE_PROVIDER_CONFIG_KEY) must not be blank")
    String providerConfigKey();

    /** {@code HEXGATE_STORE}: {@code file} (default) or {@code vault}. */
    @WithName("store")
    @WithDefault("file")
    StoreKind storeKind();

    /** {@code HEXGATE_VERIFY_ON_LINK}: check tokens with Hex before storing them, default true. */
    @WithDefault("true")
    boolean verifyOnLink();

    /** {@code HEXGATE_PUBLIC_URL}: base of connect links, default {@code http://localhost:8080}. */
    @WithDefault("http://localhost:8080")
    URI publicUrl();

    /**
     * {@code HEXGATE_CONNECT_FRAME_ANCESTORS}: comma-separated origins ({@code https://app.example.com}) that may frame the
     * Connect page ({@code @nangohq/frontend}'s {@code openConnectUI}) and that get CORS on {@code POST /api-auth/api-key/*}
     * and {@code GET /connect/session}; none by default (the page cannot be framed, no CORS anywhere).
     */
    Optional<List<@Pattern(regexp = ORIGIN, message = "(HEXGATE_CONNECT_FRAME_ANCESTORS) each entry must be an origin: http or https, a lower-case host, an optional port, no path") String>> connectFrameAncestors();

    Vault vault();

    StoreFile storeFile();

    Upstream upstream();

    TokenCache tokenCache();

    Proxy proxy();

    ConnectSession connectSession();

    ExpiringTokens expiringTokens();

    IndexRepair indexRepair();

    Tls tls();

    Webhook webhook();

    TokenCheck tokenCheck();

    /** Where connections are kept. */
    enum StoreKind {
        FILE,
        VAULT
    }

    /** Vault KV v2 layout. */
    interface Vault {
        /** {@code HEXGATE_VAULT_KV_MOUNT}: KV v2 mount, default {@code secret}. */
        @WithDefault("secret")
        @Pattern(regexp = PATH, message = "(HEXGATE_VAULT_KV_MOUNT) must be a mount path such as secret or kv/apps, without leading or trailing /")
        String kvMount();

        /** {@code HEXGATE_VAULT_PATH}: folder inside the mount, default {@code hexgate}. */
        @WithDefault("hexgate")
        @Pattern(regexp = PATH, message = "(HEXGATE_VAULT_PATH) must be a folder such as hexgate or apps/hexgate, without leading or trailing /")
        String path();

        /**
         * {@code HEXGATE_VAULT_TOKEN_CHECK_EVERY}: how often hexgate looks its Vault token up and renews a static one that is
         * due, default 1m; {@code off} stops it (a static token with a TTL then expires).
         */
        @WithDefault("1m")
        @Pattern(regexp = EVERY, message = "(HEXGATE_VAULT_TOKEN_CHECK_EVERY) must be a duration such as 1m, or off")
        String tokenCheckEvery();
    }

    /** The embedded encrypted file store. */
    interface StoreFile {
        /** {@code HEXGATE_STORE_FILE_DIR}: directory, default {@code ./hexgate-data}. */
        @WithDefault("./hexgate-data")
        @NotBlank(message = "(HEXGATE_STORE_FILE_DIR) must not be blank")
        String dir();

        /** {@code HEXGATE_STORE_FILE_KEY}: base64 AES-256 key; generated into the directory when absent. */
        Optional<String> key();
    }

    /** How the upstream origin is built; the host is always {@code <subdomain>.<domain>}. */
    interface Upstream {
        /** {@code HEXGATE_UPSTREAM_SCHEME}: {@code https} (default) or {@code http}. */
        @WithDefault("https")
        @Pattern(regexp = "(?i)https?", message = "(HEXGATE_UPSTREAM_SCHEME) must be https or http")
        String scheme();

        /** {@code HEXGATE_UPSTREAM_DOMAIN}: parent domain, default {@code hex.tech}. */
        @WithDefault("hex.tech")
        @Pattern(regexp = "(?i)[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?(\\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)+", message = "(HEXGATE_UPSTREAM_DOMAIN) must be a bare domain such as hex.tech: no scheme, port, path or trailing dot")
        String domain();

        /** {@code HEXGATE_UPSTREAM_PORT}: port, default the scheme's. */
        @Min(value = 1, message = "(HEXGATE_UPSTREAM_PORT) must be between 1 and 65535")
        @Max(value = 65535, message = "(HEXGATE_UPSTREAM_PORT) must be between 1 and 65535")
        OptionalInt port();

        /** {@code HEXGATE_UPSTREAM_BASE_PATH}: path prefix on the Hex host, default {@code /api}. */
        @WithDefault("/api")
        @Pattern(regexp = "/[^\\s?#]*", message = "(HEXGATE_UPSTREAM_BASE_PATH) must be a path starting with /, without query or fragment")
        String basePath();

        /** {@code HEXGATE_UPSTREAM_CONNECT_TO}: {@code host:port} every upstream TCP connection goes to. */
        Optional<@Pattern(regexp = "(\\[[0-9A-Fa-f:.]+\\]|[A-Za-z0-9.-]+):[0-9]{1,5}", message = "(HEXGATE_UPSTREAM_CONNECT_TO) must be host:port") String> connectTo();

        /**
         * {@code HEXGATE_UPSTREAM_PROXY}: {@code http://[user:password@]host:port} of an HTTP egress proxy; connections to Hex
         * over https go through it as {@code CONNECT} tunnels. None by default.
         */
        Optional<@Pattern(regexp = "http://([^@/?#\\s]+@)?(\\[[0-9A-Fa-f:.]+\\]|[A-Za-z0-9.-]+):[0-9]{1,5}/?", message = "(HEXGATE_UPSTREAM_PROXY) must be http://host:port") String> proxy();

        /**
         * {@code HEXGATE_UPSTREAM_TRUST_CERTS}: comma-separated PEM files of certificates trusted towards Hex besides the
         * JDK's own (a private mirror, a TLS-inspecting egress); none by default.
         */
        Optional<List<String>> trustCerts();
    }

    /** The per-replica token cache. */
    interface TokenCache {
        /** {@code HEXGATE_TOKEN_CACHE_TTL}: how long a token is used without re-reading the store, default 30s. */
        @WithDefault("30s")
        @DurationMin(millis = 100, message = "(HEXGATE_TOKEN_CACHE_TTL) must be at least 100ms")
        Duration ttl();

        /**
         * {@code HEXGATE_TOKEN_CACHE_STALE_IF_ERROR}: how long past its TTL a token is used while the store fails, default 15m.
         */
        @WithDefault("15m")
        @DurationMin(seconds = 0, message = "(HEXGATE_TOKEN_CACHE_STALE_IF_ERROR) must be 0s or more")
        Duration staleIfError();

        /**
         * {@code HEXGATE_TOKEN_CACHE_MAX_SIZE}: most connections whose token one replica holds, default 20000; the least
         * useful are evicted first (Caffeine's W-TinyLFU), and an evicted token is simply read again.
         */
        @WithDefault("20000")
        @Positive(message = "(HEXGATE_TOKEN_CACHE_MAX_SIZE) must be 1 or more")
        long maxSize();
    }

    /** The proxy hop. */
    interface Proxy {
        /** {@code HEXGATE_PROXY_CONNECT_TIMEOUT}: upstream connect timeout, default 5s. */
        @WithDefault("5s")
        @DurationMin(millis = 100, message = "(HEXGATE_PROXY_CONNECT_TIMEOUT) must be at least 100ms")
        Duration connectTimeout();

        /**
         * {@code HEXGATE_PROXY_TIMEOUT}: how long Hex may take to start its answer once the request body has been sent, and
         * how long a caller may pause mid-upload; default 60s.
         */
        @WithDefault("60s")
        @DurationMin(seconds = 1, message = "(HEXGATE_PROXY_TIMEOUT) must be at least 1s")
        Duration timeout();

        /**
         * {@code HEXGATE_PROXY_KEEP_ALIVE}: how long an idle pooled connection to Hex is kept, default 30s (whole seconds);
         * below the 60 s idle timeout of common load balancers and CDNs, so the gateway closes first and never sends on a
         * socket the other side is closing.
         */
        @WithDefault("30s")
        @DurationMin(seconds = 1, message = "(HEXGATE_PROXY_KEEP_ALIVE) must be at least 1s")
        Duration keepAlive();

        /** {@code HEXGATE_PROXY_RETRIES}: retries when the caller sends no {@code Retries} header, default 0. */
        @WithDefault("0")
        @PositiveOrZero(message = "(HEXGATE_PROXY_RETRIES) must be 0 or more")
        int retries();

        /** {@code HEXGATE_PROXY_MAX_RETRIES}: cap on {@code Retries}, default 5. */
        @WithDefault("5")
        @Min(value = 0, message = "(HEXGATE_PROXY_MAX_RETRIES) must be 0 or more")
        @Max(value = 10, message = "(HEXGATE_PROXY_MAX_RETRIES) must be 10 or less")
        int maxRetries();

        /** {@code HEXGATE_PROXY_MAX_RETRY_WAIT}: total time spent waiting between retries, default 30s. */
        @WithDefault("30s")
        @DurationMin(seconds = 0, message = "(HEXGATE_PROXY_MAX_RETRY_WAIT) must be 0s or more")
        Duration maxRetryWait();

        /** {@code HEXGATE_PROXY_MAX_BODY_SIZE}: largest request body, default 100M. */
        @WithDefault("100M")
        MemorySize maxBodySize();

        /** {@code HEXGATE_PROXY_RETRY_BUFFER}: largest request body kept for a retry, default 1M. */
        @WithDefault("1M")
        MemorySize retryBuffer();

        /**
         * {@code HEXGATE_PROXY_RETRY_BUFFER_TOTAL}: all request bodies kept for retries at once on this replica, default
         * 64M; a body that does not fit is streamed with no retries.
         */
        @WithDefault("64M")
        MemorySize retryBufferTotal();
    }

    /** Connect sessions for the Connect UI. */
    interface ConnectSession {
        /** {@code HEXGATE_CONNECT_SESSION_TTL}: session lifetime, default 30m. */
        @WithDefault("30m")
        @DurationMin(minutes = 1, message = "(HEXGATE_CONNECT_SESSION_TTL) must be at least 1m")
        Duration ttl();

        /**
         * {@code HEXGATE_CONNECT_SESSION_SWEEP_EVERY}: how often expired sessions are removed, default 1h; {@code off} stops
         * it.
         */
        @WithDefault("1h")
        @Pattern(regexp = EVERY, message = "(HEXGATE_CONNECT_SESSION_SWEEP_EVERY) must be a duration such as 1h, or off")
        String sweepEvery();
    }

    /** The {@code hexgate_connections_expiring} recount. */
    interface ExpiringTokens {
        /**
         * {@code HEXGATE_EXPIRING_TOKENS_EVERY}: how often the expiring tokens are recounted, default 1h; {@code off} stops it.
         */
        @WithDefault("1h")
        @Pattern(regexp = EVERY, message = "(HEXGATE_EXPIRING_TOKENS_EVERY) must be a duration such as 1h, or off")
        String every();
    }

    /** The background check that keeps the store's list indexes whole. */
    interface IndexRepair {
        /**
         * {@code HEXGATE_INDEX_REPAIR_EVERY}: how often one batch of connections and of index entries is checked, default
         * 1m; {@code off} stops it (failed index writes are then repaired only at the next start).
         */
        @WithDefault("1m")
        @Pattern(regexp = EVERY, message = "(HEXGATE_INDEX_REPAIR_EVERY) must be a duration such as 1m, or off")
        String every();

        /** {@code HEXGATE_INDEX_REPAIR_BATCH}: connections, and index entries, checked per run; default 100. */
        @WithDefault("100")
        @Positive(message = "(HEXGATE_INDEX_REPAIR_BATCH) must be 1 or more")
        int batch();
    }

    /** HTTPS on the main listener ({@link TlsConfigSource} hands these to Quarkus's TLS registry). */
    interface Tls {
        /** {@code HEXGATE_TLS_CERT}: PEM certificate chain; with {@code HEXGATE_TLS_KEY} it switches HTTPS on and HTTP off. */
        Optional<String> cert();

        /** {@code HEXGATE_TLS_KEY}: PEM private key of {@code HEXGATE_TLS_CERT}. */
        Optional<String> key();

        /** The default of {@link #reloadEvery()}, also applied by {@link TlsConfigSource}, which reads the raw variable. */
        String DEFAULT_RELOAD = "1h";

        /** {@code HEXGATE_TLS_RELOAD_EVERY}: how often both files are read again, default 1h. */
        @WithDefault(DEFAULT_RELOAD)
        @DurationMin(seconds = 1, message = "(HEXGATE_TLS_RELOAD_EVERY) must be at least 1s")
        Duration reloadEvery();
    }

    /** Auth webhooks (docs/contract.md §10). */
    interface Webhook {
        /** {@code HEXGATE_WEBHOOK_URLS}: comma-separated http(s) URLs every event goes to; none by default (no webhooks). */
        Optional<List<String>> urls();

        /**
         * {@code HEXGATE_WEBHOOK_SIGNING_KEY}: comma-separated signing keys; the first signs. Required with
         * {@code HEXGATE_WEBHOOK_URLS} or a connection's {@code webhook_url_override}; not an API key.
         */
        Optional<List<String>> signingKey();

        /** {@code HEXGATE_WEBHOOK_MAX_AGE}: how long a delivery keeps being retried, default 24h. */
        @WithDefault("24h")
        @DurationMin(seconds = 1, message = "(HEXGATE_WEBHOOK_MAX_AGE) must be at least 1s")
        Duration maxAge();

        /** {@code HEXGATE_WEBHOOK_TIMEOUT}: how long one attempt may take, connecting included; default 10s. */
        @WithDefault("10s")
        @DurationMin(millis = 100, message = "(HEXGATE_WEBHOOK_TIMEOUT) must be at least 100ms")
        Duration timeout();

        /**
         * {@code HEXGATE_WEBHOOK_POLL_EVERY}: how often a replica looks for deliveries that are due (retries, and those a
         * stopped replica left), default 1s; {@code off} stops polling, and a delivery then gets its first attempt only.
         */
        @WithDefault("1s")
        @Pattern(regexp = EVERY, message = "(HEXGATE_WEBHOOK_POLL_EVERY) must be a duration such as 1s, or off")
        String pollEvery();

        /** {@code HEXGATE_WEBHOOK_ENVIRONMENT}: the {@code environment} named in webhook bodies, default {@code prod}. */
        @WithDefault("prod")
        @Pattern(regexp = "[A-Za-z0-9_.-]{1,64}", message = "(HEXGATE_WEBHOOK_ENVIRONMENT) must be 1 to 64 letters, digits, _ . -")
        String environment();
    }

    /** The background re-check of every connection's Hex token. */
    interface TokenCheck {
        /**
         * {@code HEXGATE_TOKEN_CHECK_INTERVAL}: how often every token is re-checked with {@code GET /api/v1/users/me},
         * default 24h; {@code 0} switches the background check off (a proxied 401 still triggers one).
         */
        @WithDefault("24h")
        @DurationMin(seconds = 0, message = "(HEXGATE_TOKEN_CHECK_INTERVAL) must be 0 or a positive duration")
        Duration interval();

        /**
         * {@code HEXGATE_TOKEN_CHECK_RATE}: most checks one replica makes per minute, default 10; at most 30, Hex's
         * documented per-minute limit for that endpoint.
         */
        @WithDefault("10")
        @Min(value = 1, message = "(HEXGATE_TOKEN_CHECK_RATE) must be between 1 and 30")
        @Max(value = 30, message = "(HEXGATE_TOKEN_CHECK_RATE) must be between 1 and 30")
        int rate();
    }
}
