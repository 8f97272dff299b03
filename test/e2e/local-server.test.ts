import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEV_ISSUER } from '../../bin/local/dev-issuer.js';
import { javaAvailable } from '../../bin/local/dynamodb-engines.js';
import {
  type CallOptions,
  callServer,
  devToken,
  type RunningServer,
  runServerToEnd,
  startServer,
} from './local-server.js';

const run = promisify(execFile);
const DEMO_CLIENT = '6a2f41a3-c54c-4ce8-b2d2-0324e1c32e22';
const ADMIN_CLIENT = '00000000-0000-4000-8000-000000000001';
const TOKEN_LINE =
  'Bearer token (scope clients:manage:all scopes:manage:all identity-providers:manage:all, valid 1 h; more with npm run token):';
const UNAUTHORIZED = {
  code: 'UNAUTHORIZED',
  message: 'You are unauthorized to access this resource.',
  errors: { resource: ['you are unauthorized to access this resource.'] },
};

/** A request as most tests here send it: PATCH unless told otherwise. */
const call = (server: RunningServer, path: string, options: CallOptions = {}) =>
  callServer(server, path, { method: 'PATCH', ...options });

describe('npm start with the demo data', () => {
  let server: RunningServer;
  let token: string;

  beforeAll(async () => {
    [server, token] = await Promise.all([startServer(), devToken()]);
  }, 60_000);
  afterAll(async () => {
    expect(await server?.stop()).toBe('stopped cleanly');
  });

  it('prints the URL first, then a token and a curl example', () => {
    expect(server.lines[0]).toMatch(/^Listening on http:\/\/127\.0\.0\.1:\d+$/);
    expect(server.lines).toContain(TOKEN_LINE);
    expect(
      server.lines.some((line) => line.startsWith(`curl -sS -X PATCH '${server.url}/api/clients/${DEMO_CLIENT}'`)),
    ).toBe(true);
  });

  it('runs the printed curl example as printed', async () => {
    const curl = server.lines.find((line) => line.startsWith('curl ')) as string;

    const { stdout } = await run('sh', ['-c', curl]);

    expect(JSON.parse(stdout).data).toMatchObject({
      id: DEMO_CLIENT,
      name: 'Demo client (renamed)',
      access_token_ttl: 1800,
    });
  });

  it('accepts the token the server printed on every kind of route: clients, scopes, identity providers', async () => {
    const printed = server.lines[server.lines.indexOf(TOKEN_LINE) + 1];

    expect((await call(server, `/api/clients/${DEMO_CLIENT}`, { token: printed, body: { client: {} } })).status).toBe(
      200,
    );
    const writes = [
      ['/api/scopes', { scope: { name: 'printed:token' } }],
      ['/api/identity-providers', { identity_provider: { name: 'Printed token directory' } }],
    ] as const;
    for (const [collection, body] of writes) {
      const created = await call(server, `${collection}/`, { method: 'POST', token: printed, body });
      expect(created.status).toBe(201);
      const deleted = await call(server, `${collection}/${created.json.data.id}`, { method: 'DELETE', token: printed });
      expect(deleted.status).toBe(204);
    }
  });

  it('answers PUT with the whole client, as seeded and changed', async () => {
    const response = await call(server, `/api/clients/${DEMO_CLIENT}`, {
      method: 'PUT',
      token,
      body: { client: { redirect_uris: ['https://new.example.com/cb'], id_token_ttl: '600' } },
    });

    expect(response.status).toBe(200);
    expect(response.headers.get('etag')).toMatch(/^"\d+"$/);
    expect(response.json).toEqual({
      data: {
        id: DEMO_CLIENT,
        public_client_id: null,
        check_public_client_id: false,
        trusted_authorities: '',
        trusted_hosts: [],
        name: expect.any(String),
        secret: expect.stringMatching(/^[A-Za-z0-9]{86}$/),
        confidential: true,
        redirect_uris: ['https://new.example.com/cb'],
        public_refresh_token: false,
        public_revoke: false,
        authorize_scope: false,
        enforce_dpop: false,
        enforce_tx_code: false,
        access_token_ttl: expect.any(Number),
        authorization_code_ttl: 600,
        authorization_request_ttl: 300,
        refresh_token_ttl: 2592000,
        id_token_ttl: 600,
        pkce: true,
        public_key: expect.stringMatching(/^-----BEGIN PUBLIC KEY-----/),
        key_pair_type: { type: 'rsa', modulus_size: '2048', exponent_size: '65537' },
        signatures_adapter: 'Elixir.Boruta.Internal.Signatures',
        did: null,
        identity_provider: { id: '8f6c2f54-3a6b-4c61-9b36-0c3c0f1c2a10', name: 'Main directory' },
        authorized_scopes: [
          { id: '0d3c9e1a-7b2f-4c5d-8e6f-9a0b1c2d3e4f', name: 'openid', public: true },
          { id: '5e4d3c2b-1a0f-4e9d-8c7b-6a5f4e3d2c1b', name: 'profile', public: true },
          { id: '3a2b1c0d-9e8f-4a7b-9c6d-5e4f3a2b1c0d', name: 'orders:read', public: false },
        ],
        supported_grant_types: ['authorization_code', 'refresh_token', 'client_credentials'],
        id_token_signature_alg: 'RS512',
        userinfo_signed_response_alg: null,
        token_endpoint_jwt_auth_alg: 'HS256',
        token_endpoint_auth_methods: ['client_secret_basic', 'client_secret_post'],
        jwt_public_key: null,
        response_mode: 'direct_post',
      },
    });
  });

  it('serves its OpenAPI document without a token', async () => {
    const response = await call(server, '/api/openapi.json', { method: 'GET' });

    expect(response.status).toBe(200);
    expect(response.json).toMatchObject({
      openapi: '3.1.0',
      paths: { '/api/clients/{client_id}': expect.any(Object) },
    });
  });

  it('serves the rest of the resource: create, show, list, regenerate keys and did, delete', async () => {
    const created = await call(server, '/api/clients', {
      method: 'POST',
      token,
      body: { client: { name: 'Over HTTP', identity_provider: { id: '2b0f7d9e-5c1a-4e8b-8d3f-6a7b9c0d1e2f' } } },
    });
    const id = created.json.data.id;
    const location = created.headers.get('location');
    const shown = await call(server, location as string, { method: 'GET', token });
    const listed = await call(server, '/api/clients', { method: 'GET', token });
    const rekeyed = await call(server, `/api/clients/${id}/regenerate_key_pair`, { method: 'POST', token });
    const withDid = await call(server, `/api/clients/${id}/regenerate_did`, { method: 'POST', token });
    const deleted = await call(server, `/api/clients/${id}`, { method: 'DELETE', token });
    const gone = await call(server, `/api/clients/${id}`, { method: 'GET', token });

    expect([
      created.status,
      shown.status,
      listed.status,
      rekeyed.status,
      withDid.status,
      deleted.status,
      gone.status,
    ]).toEqual([201, 200, 200, 200, 200, 204, 404]);
    expect(location).toBe(`/api/clients/${id}`);
    expect(shown.json.data).toEqual(created.json.data);
    expect(listed.json.data.map((client: { id: string }) => client.id)).toContain(id);
    expect(rekeyed.json.data.public_key).not.toBe(created.json.data.public_key);
    expect(withDid.json.data.did).toMatch(/^did:key:z4MX/);
  });

  it('answers PATCH the same way', async () => {
    const response = await call(server, `/api/clients/${DEMO_CLIENT}`, {
      token,
      body: { client: { public_revoke: '1' } },
    });

    expect(response.status).toBe(200);
    expect(response.json.data.public_revoke).toBe(true);
  });

  it.each([
    ['no token', {}, 401, UNAUTHORIZED],
    ['a garbage token', { token: 'garbage' }, 401, UNAUTHORIZED],
  ])('answers %s with 401', async (_, options, status, body) => {
    const response = await call(server, `/api/clients/${DEMO_CLIENT}`, { ...options, body: { client: {} } });

    expect(response.status).toBe(status);
    expect(response.json).toEqual(body);
    expect(response.headers.get('www-authenticate')).toBe('Bearer error="invalid_token"');
  });

  it('answers an expired token with 401', async () => {
    const expired = await devToken(['--expires-in', '-60']);

    expect((await call(server, `/api/clients/${DEMO_CLIENT}`, { token: expired, body: { client: {} } })).json).toEqual(
      UNAUTHORIZED,
    );
  });

  it('answers a token without the scope with 403 insufficient_scope', async () => {
    const reader = await devToken(['--scope', 'openid clients:manage', '--sub', 'reader']);

    const response = await call(server, `/api/clients/${DEMO_CLIENT}`, { token: reader, body: { client: {} } });

    expect(response.status).toBe(403);
    expect(response.json).toEqual({
      code: 'FORBIDDEN',
      message: 'You are forbidden to access this resource.',
      errors: { resource: ['you are forbidden to access this resource.'] },
    });
    expect(response.headers.get('www-authenticate')).toBe(
      'Bearer error="insufficient_scope", scope="clients:manage:all"',
    );
  });

  it('answers 403 for the write-protected admin client', async () => {
    expect(
      (await call(server, `/api/clients/${ADMIN_CLIENT}`, { token, body: { client: { name: 'x' } } })).json,
    ).toEqual({
      code: 'FORBIDDEN',
      message: 'The resource is write protected.',
      errors: { resource: ['is write protected.'] },
    });
  });

  it.each([
    ['an unknown client', `/api/clients/00000000-0000-4000-8000-00000000abcd`, 'PATCH'],
    ['an unknown route', '/api/unknown', 'PATCH'],
  ])('answers 404 for %s', async (_, path, method) => {
    const response = await call(server, path, { method, token, body: { client: { name: 'x' } } });

    expect(response.status).toBe(404);
    expect(response.json).toEqual({
      code: 'NOT_FOUND',
      message: 'The requested resource could not be found.',
      errors: { resource: ['the requested resource could not be found.'] },
    });
  });

  it.each([
    [`/api/clients/${DEMO_CLIENT}/regenerate_did`, 'PUT', 'POST'],
    ['/api/clients', 'DELETE', 'GET, POST'],
    [`/api/clients/${DEMO_CLIENT}`, 'POST', 'GET, PUT, PATCH, DELETE'],
  ])('answers %s with 405 to %s, with Allow: %s', async (path, method, allow) => {
    const response = await call(server, path, { method, token, body: { client: { name: 'x' } } });

    expect(response.status).toBe(405);
    expect(response.headers.get('allow')).toBe(allow);
    expect(response.json).toEqual({
      code: 'METHOD_NOT_ALLOWED',
      message: 'The method is not allowed for this resource.',
    });
  });

  it("serves a client's history: who changed what, from where, newest first, with or without a trailing slash", async () => {
    const changed = await call(server, `/api/clients/${DEMO_CLIENT}`, {
      token,
      body: { client: { name: 'Seen in the history' } },
    });
    const version = Number(JSON.parse(changed.headers.get('etag') as string));

    const history = await call(server, `/api/clients/${DEMO_CLIENT}/history`, { method: 'GET', token });
    const slashed = await call(server, `/api/clients/${DEMO_CLIENT}/history/?limit=1`, { method: 'GET', token });
    const posted = await call(server, `/api/clients/${DEMO_CLIENT}/history`, { method: 'POST', token, body: {} });

    expect(history.status).toBe(200);
    expect(history.json.data[0]).toEqual({
      version,
      at: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/),
      action: 'updated',
      actor: { sub: 'local-admin', client_id: 'local-cli', issuer: DEV_ISSUER },
      request_id: expect.stringMatching(/^[0-9a-f-]{36}$/),
      source_ip: expect.stringMatching(/127\.0\.0\.1$/),
      changes: { name: { from: expect.any(String), to: 'Seen in the history' } },
    });
    // The demo data was imported by the server when it created the table.
    expect(history.json.data.at(-1)).toMatchObject({
      version: 1,
      action: 'imported',
      actor: { sub: 'npm start (demo-seed.json)', client_id: null, issuer: null },
    });
    expect(slashed.json).toEqual({ data: [history.json.data[0]], next_cursor: expect.any(String) });
    expect(posted.status).toBe(405);
    expect(posted.headers.get('allow')).toBe('GET');
  });

  it("serves the admin UI's trailing slashes: GET and POST /api/clients/", async () => {
    const listed = await call(server, '/api/clients/', { method: 'GET', token });
    const created = await call(server, '/api/clients/', {
      method: 'POST',
      token,
      body: { client: { name: 'Slash', identity_provider: { id: '8f6c2f54-3a6b-4c61-9b36-0c3c0f1c2a10' } } },
    });

    expect(listed.status).toBe(200);
    expect(listed.json.data.map((client: { id: string }) => client.id)).toContain(DEMO_CLIENT);
    expect(created.status).toBe(201);
    expect(created.headers.get('location')).toBe(`/api/clients/${created.json.data.id}`);
  });

  it.each([
    [
      'a body that is not JSON',
      { body: '{"client":' },
      400,
      {
        code: 'BAD_REQUEST',
        message: 'The request is malformed.',
        errors: { resource: ['request body is not valid JSON'] },
      },
    ],
    [
      'a path id that is not a UUID',
      { path: '/api/clients/not-a-uuid' },
      400,
      { code: 'BAD_REQUEST', message: 'The request is malformed.', errors: { client_id: ['is not a valid UUID'] } },
    ],
    [
      'an Accept header without JSON',
      { headers: { Accept: 'text/html' } },
      406,
      { code: 'NOT_ACCEPTABLE', message: 'This resource is only available as application/json.' },
    ],
    [
      'a stale If-Match',
      { headers: { 'If-Match': '"999"' } },
      412,
      { code: 'PRECONDITION_FAILED', message: 'The resource does not match the version given in If-Match.' },
    ],
    [
      'a body over 100 KB',
      { body: { client: { name: 'x'.repeat(110_000) } } },
      413,
      { code: 'PAYLOAD_TOO_LARGE', message: 'The request body is larger than 102400 bytes.' },
    ],
    [
      'a body that is not JSON by its Content-Type',
      { headers: { 'Content-Type': 'text/plain' } },
      415,
      { code: 'UNSUPPORTED_MEDIA_TYPE', message: 'The request body must be application/json in UTF-8.' },
    ],
    [
      'invalid fields',
      { body: { client: { access_token_ttl: 0, redirect_uris: ['nope'] } } },
      422,
      {
        code: 'UNPROCESSABLE_ENTITY',
        message: 'Your request could not be processed.',
        errors: { redirect_uris: ['`nope` is invalid'], access_token_ttl: ['is invalid'] },
      },
    ],
  ] as const)('answers %s with %i', async (_, options, status, body) => {
    const { path = `/api/clients/${DEMO_CLIENT}`, ...rest } = options as { path?: string };

    const response = await call(server, path, { token, body: { client: { name: 'x' } }, ...rest });

    expect(response.status).toBe(status);
    expect(response.json).toEqual(body);
  });
});

describe('npm start with a seed file and a data folder', () => {
  let folder: string;
  beforeAll(async () => {
    folder = await mkdtemp(join(tmpdir(), 'local-server-'));
  });
  afterAll(async () => {
    await rm(folder, { recursive: true, force: true });
  });

  it('serves what the seed file holds, and keeps changes across a restart', async () => {
    const clientId = '11111111-2222-4333-8444-555555555555';
    const seedFile = join(folder, 'seed.json');
    await writeFile(
      seedFile,
      JSON.stringify({
        identity_providers: [{ id: 'aaaaaaaa-bbbb-4ccc-8ddd-eeeeeeeeeeee', name: 'Corporate' }],
        scopes: [{ id: 'bbbbbbbb-cccc-4ddd-8eee-ffffffffffff', name: 'billing', public: false }],
        clients: [
          {
            id: clientId,
            name: 'Billing',
            secret: 'seeded-secret',
            identity_provider: { id: 'aaaaaaaa-bbbb-4ccc-8ddd-eeeeeeeeeeee' },
            authorized_scopes: [{ id: 'bbbbbbbb-cccc-4ddd-8eee-ffffffffffff' }],
            access_token_ttl: 900,
          },
        ],
      }),
    );
    const args = ['--seed', seedFile, '--data-dir', join(folder, 'data')];
    const token = await devToken();

    const first = await startServer(args);
    const seeded = await call(first, `/api/clients/${clientId}`, { token, body: { client: { pkce: true } } });
    expect(await first.stop()).toBe('stopped cleanly');
    const second = await startServer(args);
    const afterRestart = await call(second, `/api/clients/${clientId}`, { token, body: { client: {} } });
    expect(await second.stop()).toBe('stopped cleanly');

    expect(seeded.json.data).toMatchObject({
      id: clientId,
      name: 'Billing',
      secret: 'seeded-secret',
      access_token_ttl: 900,
      pkce: true,
      identity_provider: { id: 'aaaaaaaa-bbbb-4ccc-8ddd-eeeeeeeeeeee', name: 'Corporate' },
      authorized_scopes: [{ id: 'bbbbbbbb-cccc-4ddd-8eee-ffffffffffff', name: 'billing', public: false }],
    });
    expect(afterRestart.json).toEqual(seeded.json);
    expect(afterRestart.headers.get('etag')).toBe(seeded.headers.get('etag'));
  }, 60_000);

  it('refuses an invalid seed, naming the item and the field', async () => {
    const seedFile = join(folder, 'bad-seed.json');
    await writeFile(
      seedFile,
      JSON.stringify({
        identity_providers: [{ id: 'aaaaaaaa-bbbb-4ccc-8ddd-eeeeeeeeeeee', name: 'Corporate' }],
        clients: [{ identity_provider: { id: 'aaaaaaaa-bbbb-4ccc-8ddd-eeeeeeeeeeee' }, id_token_ttl: 0 }],
      }),
    );

    const result = await runServerToEnd(['--seed', seedFile, '--port', '0']);

    expect(result.code).toBe(1);
    expect(result.stderr.trim()).toMatch(
      /^error: .*bad-seed\.json: clients\[0\] \([0-9a-f-]{36}\): id_token_ttl is invalid$/,
    );
  });
});

describe('npm start throttling as deployed', () => {
  /**
   * 150 requests at once, more than the stage's burst of 100 admits. Each is a method the
   * resource lacks, answered by the gateway itself (405): no store work spreads them out.
   */
  async function burst(server: RunningServer, token: string): Promise<Awaited<ReturnType<typeof call>>[]> {
    return Promise.all(Array.from({ length: 150 }, () => call(server, '/api/clients', { method: 'PUT', token })));
  }

  it("answers 429 with the gateway response past the stage's burst", async () => {
    const [server, token] = await Promise.all([startServer(), devToken()]);

    const responses = await burst(server, token);
    await server.stop();

    const throttled = responses.filter((response) => response.status === 429);
    expect(throttled.length).toBeGreaterThan(0);
    expect(throttled.length + responses.filter((response) => response.status === 405).length).toBe(150);
    expect(throttled[0]?.json).toEqual({ code: 'TOO_MANY_REQUESTS', message: 'Too many requests. Retry later.' });
    expect(throttled[0]?.headers.get('retry-after')).toBe('1');
  }, 60_000);

  it.each([
    ['--no-throttle', ['--no-throttle'], {}],
    ['THROTTLE=off', [], { THROTTLE: 'off' }],
  ])(
    'throttles nothing with %s, for load tests',
    async (_, args, environment) => {
      const [server, token] = await Promise.all([startServer(args, environment), devToken()]);

      const responses = await burst(server, token);
      await server.stop();

      expect(responses.map((response) => response.status)).toEqual(Array(150).fill(405));
    },
    60_000,
  );
});

describe('npm start refusing to start', () => {
  it('refuses an events file on dynalite in one line, saying why, and exits 2', async () => {
    const result = await runServerToEnd(['--events-file', 'events.jsonl']);

    expect(result.code).toBe(2);
    expect(result.stderr.trim()).toBe(
      'error: --events-file needs --engine dynamodb-local: dynalite does not implement DynamoDB Streams, which the events come from',
    );
  });

  it('names a bad flag in one line and exits 2', async () => {
    const result = await runServerToEnd(['--colour', 'blue']);

    expect(result.code).toBe(2);
    expect(result.stderr.trim().split('\n')).toEqual([expect.stringMatching(/^error: Unknown option '--colour'/)]);
  });

  it('names a port in use in one line and exits 1', async () => {
    const blocker = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const { port } = blocker.address() as { port: number };

    const result = await runServerToEnd(['--port', String(port)]);
    blocker.close();

    expect(result.code).toBe(1);
    expect(result.stderr.trim()).toBe(`error: port ${port} on 127.0.0.1 is already in use`);
  });
});

describe.runIf(javaAvailable() || process.env.CI)('npm start --engine dynamodb-local', () => {
  it('serves the API on AWS DynamoDB Local and stops it on the way out', async () => {
    const [server, token] = await Promise.all([startServer(['--engine', 'dynamodb-local']), devToken()]);

    const response = await call(server, `/api/clients/${DEMO_CLIENT}`, {
      token,
      body: { client: { name: 'On Java' } },
    });
    const stopped = await server.stop();

    expect(response.json.data.name).toBe('On Java');
    expect(stopped).toBe('stopped cleanly');
    expect(server.lines[0]).toMatch(/^Listening on /);
    expect(server.lines).toContain('Client Changed events: printed below, one JSON line each.');
  }, 90_000);

  it('turns a write through the API into one Client Changed event in the events file', async () => {
    const folder = await mkdtemp(join(tmpdir(), 'events-'));
    const eventsFile = join(folder, 'events.jsonl');
    const [server, token] = await Promise.all([
      startServer(['--engine', 'dynamodb-local'], { EVENTS_FILE: eventsFile }),
      devToken(),
    ]);
    try {
      const response = await call(server, `/api/clients/${DEMO_CLIENT}`, {
        token,
        body: { client: { name: 'Published' } },
      });
      const version = Number(JSON.parse(response.headers.get('etag') as string));
      const history = await call(server, `/api/clients/${DEMO_CLIENT}/history?limit=1`, { method: 'GET', token });

      const events = await eventsIn(eventsFile, (event) => event.detail.id === `${DEMO_CLIENT}:${version}`);

      expect(server.lines[0]).toMatch(/^Listening on /);
      const published = events.filter((event) => event.detail.subject === DEMO_CLIENT);
      // The seed's entry and the update's, each once.
      expect(published.map((event) => event.detail.id)).toEqual([`${DEMO_CLIENT}:1`, `${DEMO_CLIENT}:${version}`]);
      expect(published[1]).toEqual({
        'detail-type': 'Client Changed',
        source: 'clients-admin-api',
        time: history.json.data[0].at,
        detail: {
          specversion: '1.0',
          id: `${DEMO_CLIENT}:${version}`,
          source: 'clients-admin-api',
          type: 'client.changed',
          subject: DEMO_CLIENT,
          time: history.json.data[0].at,
          datacontenttype: 'application/json',
          data: { client_id: DEMO_CLIENT, entry: history.json.data[0] },
        },
      });
    } finally {
      expect(await server.stop()).toBe('stopped cleanly');
      await rm(folder, { recursive: true, force: true });
    }
  }, 120_000);
});

/** The events appended to a file so far, once one matches (or after 30 s). */
async function eventsIn(
  file: string,
  awaited: (event: { detail: Record<string, unknown> }) => boolean,
): Promise<{ detail: Record<string, unknown> }[]> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    const text = await readFile(file, 'utf8').catch(() => '');
    const events = text
      .split('\n')
      .filter(Boolean)
      .map((line) => JSON.parse(line));
    if (events.some(awaited) || Date.now() > deadline) return events;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}
