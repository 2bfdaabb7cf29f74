// Drives hexgate with the real @nangohq/node SDK, unchanged: only `host` and `secretKey` point at the gateway.
// Started by NangoSdkIT against the packaged application, with the fake Hex and the Vault emulator behind it.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { Nango } from '@nangohq/node';

const env = (name) => {
    const value = process.env[name];
    assert.ok(value, `${name} must be set (NangoSdkIT sets it)`);
    return value;
};

const host = env('HEXGATE_URL');
const secretKey = env('HEXGATE_KEY');
const nango = new Nango({ host, secretKey });
const providerConfigKey = 'hex';
const run = Date.now().toString(36);
const connectionId = `sdk-${run}`;

/**
 * The SDK has no call to import a connection (Nango: "use REST API"), so a backend links through the REST API; `extra`
 * adds fields to the body.
 */
async function link(id, subdomain, token, endUserId, extra = {}) {
    const response = await fetch(`${host}/connections`, {
        method: 'POST',
        headers: { Authorization: `Bearer ${secretKey}`, 'Content-Type': 'application/json' },
        body: JSON.stringify({
            provider_config_key: providerConfigKey,
            connection_id: id,
            connection_config: { subdomain },
            credentials: { type: 'API_KEY', apiKey: token },
            ...(endUserId ? { end_user: { id: endUserId, email: `${endUserId}@example.com` } } : {}),
            ...extra
        })
    });
    assert.equal(response.status, 201, await response.text());
}

/** Runs an SDK call that must fail and returns the gateway's answer (axios rejects on any non-2xx). */
async function failure(call) {
    try {
        await call();
    } catch (err) {
        assert.ok(err.response, `expected an HTTP error, got ${err}`);
        return err.response;
    }
    assert.fail('the call succeeded');
}

before(async () => {
    await link(connectionId, 'app', env('HEX_TOKEN_APP'), `user-${run}`);
});

test('proxy() forwards method, path, params and Nango-Proxy headers with the stored token', async () => {
    const res = await nango.proxy({
        method: 'GET',
        endpoint: '/v1/test/echo',
        providerConfigKey,
        connectionId,
        params: { limit: 5, after: 'abc' },
        headers: { 'X-Custom': 'from-sdk' }
    });
    assert.equal(res.status, 200);
    assert.equal(res.data.method, 'GET');
    assert.equal(res.data.host, 'app.hex.tech');
    assert.equal(res.data.path, '/api/v1/test/echo');
    assert.equal(res.data.query, 'limit=5&after=abc');
    assert.equal(res.data.authorized_with_stored_token, true);
    assert.equal(res.data.headers['x-custom'], 'from-sdk');
    assert.match(res.data.headers['user-agent'], /^nango-node-client\/0\.71\.10/);
    for (const dropped of ['connection-id', 'provider-config-key', 'base-url-override', 'nango-activity-log-id', 'nango-proxy-x-custom', 'cookie']) {
        assert.equal(res.data.headers[dropped], undefined, `${dropped} must not reach Hex`);
    }
    assert.match(res.headers['x-request-id'], /.+/);
});

test('proxy() error: an unknown connection is a 404 unknown_connection', async () => {
    const res = await failure(() => nango.proxy({ endpoint: '/v1/projects', providerConfigKey, connectionId: 'nobody-here' }));
    assert.equal(res.status, 404);
    assert.equal(res.data.error.code, 'unknown_connection');
});

test('get() returns Hex data', async () => {
    const res = await nango.get({ endpoint: '/v1/projects', providerConfigKey, connectionId });
    assert.equal(res.status, 200);
    assert.equal(res.data.values[0].title, 'Revenue');
});

test('get() error: a path that climbs out of /api is refused', async () => {
    // Node's URL parser already drops '%2e%2e' segments; '..\\' (encoded) survives it and must be refused by hexgate.
    const res = await failure(() => nango.get({ endpoint: '/v1/..%5C..%5Cadmin', providerConfigKey, connectionId }));
    assert.equal(res.status, 400);
    assert.equal(res.data.error.code, 'invalid_path');
});

test('post() keeps Hex\'s 201 for RunProject (Nango turns it into 200)', async () => {
    const res = await nango.post({ endpoint: '/v1/projects/p-1/runs', providerConfigKey, connectionId, data: { dryRun: false } });
    assert.equal(res.status, 201);
    assert.match(res.data.runId, /^[0-9a-f-]{36}$/);
});

test('post() error: Hex\'s own errors pass through unchanged', async () => {
    const res = await failure(() => nango.post({ endpoint: '/v1/test/status/422', providerConfigKey, connectionId, data: {} }));
    assert.equal(res.status, 422);
    assert.equal(res.data.code, 'TEST');
});

test('put() sends the JSON body', async () => {
    const res = await nango.put({ endpoint: '/v1/test/echo', providerConfigKey, connectionId, data: { status: 'Approved' } });
    assert.equal(res.data.method, 'PUT');
    assert.deepEqual(JSON.parse(res.data.body), { status: 'Approved' });
    assert.match(res.data.headers['content-type'], /^application\/json/);
});

test('put() error: a Base-Url-Override is refused, so credentials never leave for another host', async () => {
    const res = await failure(() => nango.put({
        endpoint: '/v1/test/echo', providerConfigKey, connectionId, data: {}, baseUrlOverride: 'https://attacker.example'
    }));
    assert.equal(res.status, 400);
    assert.equal(res.data.error.code, 'invalid_headers');
});

test('patch() sends the JSON body', async () => {
    const res = await nango.patch({ endpoint: '/v1/test/echo', providerConfigKey, connectionId, data: { status: null } });
    assert.equal(res.data.method, 'PATCH');
    assert.deepEqual(JSON.parse(res.data.body), { status: null });
});

test('patch() error: another integration key is a 404 unknown_provider_config', async () => {
    const res = await failure(() => nango.patch({ endpoint: '/v1/test/echo', providerConfigKey: 'github', connectionId, data: {} }));
    assert.equal(res.status, 404);
    assert.equal(res.data.error.code, 'unknown_provider_config');
});

test('delete() keeps Hex\'s 204 for CancelRun', async () => {
    const res = await nango.delete({ endpoint: '/v1/projects/p-1/runs/r-1', providerConfigKey, connectionId });
    assert.equal(res.status, 204);
});

test('delete() error: an unknown connection is a 404', async () => {
    const res = await failure(() => nango.delete({ endpoint: '/v1/projects/p-1/runs/r-1', providerConfigKey, connectionId: 'ghost' }));
    assert.equal(res.status, 404);
});

test('retries are accepted and not forwarded to Hex', async () => {
    const res = await nango.get({ endpoint: '/v1/test/echo', providerConfigKey, connectionId, retries: 2, retryOn: [503] });
    assert.equal(res.status, 200);
    assert.equal(res.data.headers['retries'], undefined);
    assert.equal(res.data.headers['retry-on'], undefined);
});

test('getConnection() returns the connection without credentials', async () => {
    const connection = await nango.getConnection(providerConfigKey, connectionId);
    assert.equal(connection.connection_id, connectionId);
    assert.equal(connection.provider_config_key, 'hex');
    assert.deepEqual(connection.connection_config, { subdomain: 'app' });
    assert.deepEqual(connection.credentials, {});
    assert.equal(connection.end_user.id, `user-${run}`);
    assert.equal(connection.hex.token_type, 'personal');
    assert.ok(!JSON.stringify(connection).includes(env('HEX_TOKEN_APP')));
});

test('getConnection() error: unknown is a 404 unknown_connection', async () => {
    const res = await failure(() => nango.getConnection(providerConfigKey, 'missing-connection'));
    assert.equal(res.status, 404);
    assert.equal(res.data.error.code, 'unknown_connection');
});

test('listConnections() filters by connectionId and end user, with limit and page', async () => {
    const user = `lister-${run}`;
    for (const n of [1, 2, 3]) {
        await link(`list-${run}-${n}`, 'eu', env('HEX_TOKEN_EU'), user);
    }
    const one = await nango.listConnections({ connectionId });
    assert.equal(one.connections.length, 1);
    assert.equal(one.connections[0].connection_id, connectionId);
    const legacy = await nango.listConnections(connectionId);
    assert.equal(legacy.connections[0].connection_id, connectionId);
    const mine = await nango.listConnections({ userId: user });
    assert.deepEqual(mine.connections.map((c) => c.connection_id), [1, 2, 3].map((n) => `list-${run}-${n}`));
    const page = await nango.listConnections({ userId: user, limit: 2, page: 1 });
    assert.deepEqual(page.connections.map((c) => c.connection_id), [`list-${run}-3`]);
    for (const c of mine.connections) {
        assert.equal(c.credentials, undefined);
    }
});

test('listConnections() error: filters hexgate does not support are a 400 invalid_query_params', async () => {
    const res = await failure(() => nango.listConnections({ integrationId: ['hex'] }));
    assert.equal(res.status, 400);
    assert.equal(res.data.error.code, 'invalid_query_params');
});

test('deleteConnection() removes the connection and its token', async () => {
    const id = `delete-${run}`;
    await link(id, 'app', env('HEX_TOKEN_APP'), `user-${run}`);
    const res = await nango.deleteConnection(providerConfigKey, id);
    assert.equal(res.status, 200);
    assert.deepEqual(res.data, { success: true });
    const gone = await failure(() => nango.get({ endpoint: '/v1/projects', providerConfigKey, connectionId: id }));
    assert.equal(gone.status, 404);
});

test('deleteConnection() error: unknown is a 404', async () => {
    const res = await failure(() => nango.deleteConnection(providerConfigKey, 'never-existed'));
    assert.equal(res.status, 404);
    assert.equal(res.data.error.code, 'unknown_connection');
});

test('createConnectSession() returns a single-use connect link', async () => {
    const session = await nango.createConnectSession({
        end_user: { id: `user-${run}`, email: 'ana@example.com' },
        allowed_integrations: ['hex'],
        integrations_config_defaults: { hex: { connection_config: { subdomain: 'eu' } } }
    });
    assert.match(session.data.token, /^hexgate_connect_session_[0-9a-f]{64}$/);
    assert.ok(session.data.connect_link.endsWith(`/connect?session_token=${session.data.token}`));
    assert.ok(Date.parse(session.data.expires_at) > Date.now());
    const page = await fetch(`${host}/connect?session_token=${session.data.token}`);
    assert.equal(page.status, 200);
    assert.match(await page.text(), /Connect your Hex account/);
});

test('createConnectSession() error: an end user is required', async () => {
    const res = await failure(() => nango.createConnectSession({ tags: { a: 'b' } }));
    assert.equal(res.status, 400);
    assert.equal(res.data.error.code, 'invalid_body');
});

test('createReconnectSession() gives a link whose submit replaces the token and keeps the connection', async () => {
    const id = `${connectionId}-re`;
    await link(id, 'app', env('HEX_TOKEN_APP'), `user-${run}`, { metadata: { team: 'finance' }, tags: { env: 'sdk' } });
    const session = await nango.createReconnectSession({ connection_id: id, integration_id: providerConfigKey });
    assert.match(session.data.token, /^hexgate_connect_session_[0-9a-f]{64}$/);
    assert.ok(session.data.connect_link.endsWith(`/connect?session_token=${session.data.token}`));
    // What @nangohq/frontend's nango.auth() sends with that session (the browser test drives the real call).
    const auth = await fetch(`${host}/api-auth/api-key/hex?connect_session_token=${session.data.token}&params[subdomain]=app`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ apiKey: env('HEX_TOKEN_EU') })
    });
    // The EU token belongs to eu.hex.tech: Hex refuses it for the connection's subdomain, and nothing changes.
    assert.equal(auth.status, 400);
    assert.equal((await auth.json()).error.code, 'connection_test_failed');
    const again = await fetch(`${host}/api-auth/api-key/hex?connect_session_token=${session.data.token}`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ apiKey: env('HEX_TOKEN_APP') })
    });
    assert.equal(again.status, 200);
    assert.deepEqual(await again.json(), { connectionId: id, providerConfigKey });
    const connection = await nango.getConnection(providerConfigKey, id);
    assert.deepEqual(connection.metadata, { team: 'finance' });
    assert.deepEqual(connection.tags, { env: 'sdk' });
    assert.equal(connection.end_user.id, `user-${run}`);
});

test('createReconnectSession() error: an unknown connection is a 400 invalid_body, as Nango', async () => {
    const res = await failure(() => nango.createReconnectSession({ connection_id: 'never-existed', integration_id: 'hex' }));
    assert.equal(res.status, 400);
    assert.equal(res.data.error.code, 'invalid_body');
});

test('a wrong secret key is a 401 and a proxy-only key cannot read connections', async () => {
    const stranger = new Nango({ host, secretKey: 'not-a-hexgate-key' });
    const unknown = await failure(() => stranger.getConnection(providerConfigKey, connectionId));
    assert.equal(unknown.status, 401);
    assert.equal(unknown.data.error.code, 'unknown_secret_key');
    const proxyOnly = new Nango({ host, secretKey: env('HEXGATE_PROXY_KEY') });
    const forbidden = await failure(() => proxyOnly.getConnection(providerConfigKey, connectionId));
    assert.equal(forbidden.status, 403);
    const allowed = await proxyOnly.get({ endpoint: '/v1/projects', providerConfigKey, connectionId });
    assert.equal(allowed.status, 200);
});

// ---- auth webhooks, verified as a Nango backend verifies them ----

/** A backend's webhook endpoint: keeps each raw body and its headers, answers 200. */
async function receiver() {
    const { createServer } = await import('node:http');
    const received = [];
    const server = createServer((req, res) => {
        let body = '';
        req.setEncoding('utf8');
        req.on('data', (chunk) => (body += chunk));
        req.on('end', () => {
            received.push({ body, headers: req.headers });
            res.writeHead(200).end();
        });
    });
    await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
    return { received, server, url: `http://127.0.0.1:${server.address().port}/nango-webhooks` };
}

async function until(condition, ms = 20000) {
    const deadline = Date.now() + ms;
    while (!condition()) {
        assert.ok(Date.now() < deadline, 'timed out waiting');
        await new Promise((resolve) => setTimeout(resolve, 100));
    }
}

test('verifyIncomingWebhookRequest() accepts hexgate\'s auth webhooks and refuses tampered or foreign ones', async () => {
    const webhookSigningKey = env('HEXGATE_WEBHOOK_SIGNING_KEY');
    const { received, server, url } = await receiver();
    try {
        const id = `sdk-webhook-${run}`;
        await link(id, 'app', env('HEX_TOKEN_APP'), undefined, { webhook_url_override: url });
        await nango.deleteConnection(providerConfigKey, id);
        await until(() => received.length >= 2);

        const verifier = new Nango({ host, secretKey, webhookSigningKey });
        const [creation, deletion] = received;
        for (const hook of received) {
            assert.equal(verifier.verifyIncomingWebhookRequest(hook.body, hook.headers), true, hook.body);
        }
        const body = JSON.parse(creation.body);
        assert.deepEqual(body, {
            authMode: 'API_KEY', connectionId: id, environment: 'prod', from: 'nango', operation: 'creation',
            provider: 'hex', providerConfigKey, success: true, tags: {}, type: 'auth'
        });
        assert.equal(JSON.parse(deletion.body).operation, 'deletion');
        // Nango's stringifyStable form: compact, keys sorted, so re-serialising the parsed body gives the same bytes.
        assert.deepEqual(Object.keys(body), [...Object.keys(body)].sort());
        assert.equal(JSON.stringify(body), creation.body);
        assert.equal(creation.headers['content-type'], 'application/json');
        assert.match(creation.headers['x-hexgate-delivery'], /^\d{13}-[0-9a-f]{16}$/);
        assert.equal(creation.headers['x-hexgate-attempt'], '1');

        const tampered = creation.body.replace('"creation"', '"override"');
        assert.equal(verifier.verifyIncomingWebhookRequest(tampered, creation.headers), false, 'a changed body fails');
        const reordered = JSON.stringify(Object.fromEntries(Object.entries(body).reverse()));
        assert.equal(verifier.verifyIncomingWebhookRequest(reordered, creation.headers), false, 'a re-ordered body fails');
        const stranger = new Nango({ host, secretKey, webhookSigningKey: 'another-signing-key-0123456789' });
        assert.equal(stranger.verifyIncomingWebhookRequest(creation.body, creation.headers), false, 'another key fails');
        assert.equal(new Nango({ host, secretKey }).verifyIncomingWebhookRequest(creation.body, creation.headers), false,
            'without a signing key the SDK verifies nothing');
        assert.ok(!creation.body.includes(env('HEX_TOKEN_APP')) && !JSON.stringify(creation.headers).includes(webhookSigningKey));
    } finally {
        server.close();
    }
});

test('listIntegrations() and getIntegration() show the one integration the gateway serves', async () => {
    const { configs } = await nango.listIntegrations();
    assert.equal(configs.length, 1);
    assert.equal(configs[0].unique_key, providerConfigKey);
    assert.equal(configs[0].provider, 'hex');
    assert.equal(configs[0].display_name, 'Hex');
    const one = await nango.getIntegration({ uniqueKey: providerConfigKey }, { include: ['webhook'] });
    assert.deepEqual(one.data, configs[0]);
});

test('getIntegration() error: another key is a 404 not_found, and the SDK cannot create one', async () => {
    const missing = await failure(() => nango.getIntegration({ uniqueKey: 'github' }));
    assert.equal(missing.status, 404);
    assert.equal(missing.data.error.code, 'not_found');
    const created = await failure(() => nango.createIntegration({ unique_key: 'github', provider: 'github' }));
    assert.equal(created.status, 405);
    assert.equal(created.data.error.code, 'method_not_allowed');
});

test('setMetadata() replaces, updateMetadata() merges, getMetadata() reads, for one id or several', async () => {
    const a = `meta-${run}-a`;
    const b = `meta-${run}-b`;
    await link(a, 'app', env('HEX_TOKEN_APP'));
    await link(b, 'app', env('HEX_TOKEN_APP'));
    const set = await nango.setMetadata(providerConfigKey, a, { plan: 'team', seats: 5 });
    assert.equal(set.status, 201);
    assert.deepEqual(set.data, { metadata: { plan: 'team', seats: 5 }, connection_id: a, provider_config_key: providerConfigKey });
    const updated = await nango.updateMetadata(providerConfigKey, a, { seats: 9 });
    assert.equal(updated.status, 200);
    assert.deepEqual(await nango.getMetadata(providerConfigKey, a), { plan: 'team', seats: 9 });
    await nango.setMetadata(providerConfigKey, [a, b], { shared: true });
    assert.deepEqual(await nango.getMetadata(providerConfigKey, a), { shared: true });
    assert.deepEqual(await nango.getMetadata(providerConfigKey, b), { shared: true });
});

test('updateMetadata() error: one unknown id is a 404 unknown_connection and changes none', async () => {
    const a = `meta-${run}-c`;
    await link(a, 'app', env('HEX_TOKEN_APP'));
    await nango.setMetadata(providerConfigKey, a, { n: 1 });
    const res = await failure(() => nango.updateMetadata(providerConfigKey, [a, `missing-${run}`], { n: 2 }));
    assert.equal(res.status, 404);
    assert.equal(res.data.error.code, 'unknown_connection');
    assert.deepEqual(await nango.getMetadata(providerConfigKey, a), { n: 1 });
});

test('setMetadata() error: metadata holding a Hex token is a 400 invalid_body', async () => {
    const res = await failure(() => nango.setMetadata(providerConfigKey, connectionId, { copy: env('HEX_TOKEN_APP') }));
    assert.equal(res.status, 400);
    assert.equal(res.data.error.code, 'invalid_body');
});

test('getMetadata() error: an unknown connection is a 404', async () => {
    const res = await failure(() => nango.getMetadata(providerConfigKey, `missing-${run}`));
    assert.equal(res.status, 404);
});

test('patchConnection() sets tags and end user as Nango, and listConnections() filters by those tags', async () => {
    const id = `patch-${run}`;
    await link(id, 'app', env('HEX_TOKEN_APP'), `user-${run}`);
    const res = await nango.patchConnection({ connectionId: id, provider_config_key: providerConfigKey },
        { end_user: { id: `owner-${run}`, email: 'owner@example.com' }, tags: { Plan: `team-${run}` } });
    assert.deepEqual(res, { success: true });
    const connection = await nango.getConnection(providerConfigKey, id);
    assert.equal(connection.end_user.id, `owner-${run}`);
    assert.equal(connection.tags.end_user_id, `owner-${run}`);
    const { connections } = await nango.listConnections({ tags: { plan: `team-${run}` } });
    assert.deepEqual(connections.map((c) => c.connection_id), [id]);
    const byEmail = await nango.listConnections({ tags: { email: 'owner@example.com' } });
    assert.ok(byEmail.connections.some((c) => c.connection_id === id));
});

test('patchConnection() error: an unknown connection is a 404, and a bad tag a 400', async () => {
    const missing = await failure(() => nango.patchConnection({ connectionId: `missing-${run}`, provider_config_key: providerConfigKey },
        { tags: { a: 'b' } }));
    assert.equal(missing.status, 404);
    assert.equal(missing.data.error.code, 'unknown_connection');
    const bad = await failure(() => nango.patchConnection({ connectionId, provider_config_key: providerConfigKey }, { tags: { '': 'b' } }));
    assert.equal(bad.status, 400);
    assert.equal(bad.data.error.code, 'invalid_body');
});
