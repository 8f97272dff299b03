import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEV_INTROSPECTION_PATH } from '../../bin/local/dev-introspection.js';
import { callServer as call, devToken, type RunningServer, startServer } from './local-server.js';

const ADMIN_UI = 'http://localhost:4001';
const OTHER_UI = 'https://admin.example.com';
const EXPOSED = 'ETag, Location, WWW-Authenticate, Retry-After';
const FORBIDDEN = {
  code: 'FORBIDDEN',
  message: 'You are forbidden to access this resource.',
  errors: { resource: ['you are forbidden to access this resource.'] },
};
const UNAUTHORIZED = {
  code: 'UNAUTHORIZED',
  message: 'You are unauthorized to access this resource.',
  errors: { resource: ['you are unauthorized to access this resource.'] },
};

const corsOf = (headers: Headers) =>
  Object.fromEntries([...headers].filter(([name]) => /^(access-control-|vary$)/.test(name)));

describe('npm start for Boruta’s admin UI on another origin (--cors-origin)', () => {
  let server: RunningServer;
  let clientsOnly: string;
  beforeAll(async () => {
    [server, clientsOnly] = await Promise.all([
      startServer(['--cors-origin', ADMIN_UI, '--cors-origin', OTHER_UI]),
      devToken(['--scope', 'clients:manage:all']),
    ]);
  }, 60_000);
  afterAll(async () => {
    expect(await server?.stop()).toBe('stopped cleanly');
  });

  it('answers the UI’s preflight with 204 and what it may send, without a token', async () => {
    const response = await call(server, '/api/scopes/', {
      method: 'OPTIONS',
      headers: {
        Origin: OTHER_UI,
        'Access-Control-Request-Method': 'POST',
        'Access-Control-Request-Headers': 'authorization,content-type',
      },
    });

    expect(response.status).toBe(204);
    expect(corsOf(response.headers)).toEqual({
      'access-control-allow-origin': OTHER_UI,
      'access-control-allow-methods': 'GET, POST, OPTIONS',
      'access-control-allow-headers': 'Authorization, Content-Type, If-Match',
      'access-control-max-age': '600',
      vary: 'Origin',
    });
  });

  it('lets an allowed origin read an answer and its ETag, and gives another origin no CORS header', async () => {
    const allowed = await call(server, '/api/clients/', { token: clientsOnly, headers: { Origin: OTHER_UI } });
    const refused = await call(server, '/api/clients/', {
      token: clientsOnly,
      headers: { Origin: 'https://evil.example.com' },
    });

    expect(allowed.status).toBe(200);
    expect(corsOf(allowed.headers)).toEqual({
      'access-control-allow-origin': OTHER_UI,
      'access-control-expose-headers': EXPOSED,
      vary: 'Origin',
    });
    expect(refused.status).toBe(200);
    expect(corsOf(refused.headers)).toEqual({ vary: 'Origin' });
  });

  it.each([
    ['401 without a token', '/api/clients', undefined, 401],
    ['404 for an unknown path', '/api/users', 'token', 404],
  ])(
    'gives API Gateway’s own %s the first allowed origin, as the stack can only',
    async (_, path, withToken, status) => {
      const response = await call(server, path, { token: withToken && clientsOnly, headers: { Origin: ADMIN_UI } });

      expect(response.status).toBe(status);
      expect(corsOf(response.headers)).toEqual({
        'access-control-allow-origin': ADMIN_UI,
        'access-control-expose-headers': EXPOSED,
        vary: 'Origin',
      });
    },
  );

  it('keeps a token cached as allowed for /api/clients from writing a scope: the function checks its own scope', async () => {
    // The authorizer's Allow for this token is now in the gateway's cache, for every route.
    expect((await call(server, '/api/clients', { token: clientsOnly })).status).toBe(200);

    const write = await call(server, '/api/scopes', {
      method: 'POST',
      token: clientsOnly,
      body: { scope: { name: 'written:without-the-scope' } },
      headers: { Origin: ADMIN_UI },
    });

    expect(write.status).toBe(403);
    expect(write.json).toEqual(FORBIDDEN);
    expect(write.headers.get('www-authenticate')).toBe('Bearer error="insufficient_scope", scope="scopes:manage:all"');
    expect(write.headers.get('access-control-allow-origin')).toBe(ADMIN_UI);
    const scopes = await call(server, '/api/scopes', { token: clientsOnly });
    expect(scopes.json.data.map((scope: { name: string }) => scope.name)).not.toContain('written:without-the-scope');
  });

  it('answers a method a resource lacks 403 before 405 to a token without any of the resource’s scopes', async () => {
    const usersOnly = await devToken(['--scope', 'users:manage:all']);

    const clients = await call(server, '/api/clients', {
      method: 'DELETE',
      token: usersOnly,
      headers: { Origin: ADMIN_UI },
    });
    const scopes = await call(server, '/api/scopes', { method: 'DELETE', token: usersOnly });

    expect(clients.status).toBe(403);
    expect(clients.json).toEqual(FORBIDDEN);
    expect(clients.headers.get('www-authenticate')).toBe(
      'Bearer error="insufficient_scope", scope="clients:manage:all"',
    );
    expect(corsOf(clients.headers)).toEqual({
      'access-control-allow-origin': ADMIN_UI,
      'access-control-expose-headers': EXPOSED,
      vary: 'Origin',
    });
    // Any admin scope reads scopes: the token may learn which methods /api/scopes has.
    expect(scopes.status).toBe(405);
    expect(scopes.headers.get('allow')).toBe('GET, POST');
  });

  it('denies (403) a token with none of the API’s scopes at the authorizer', async () => {
    const token = await devToken(['--scope', 'openid upstreams:manage:all']);

    const response = await call(server, '/api/scopes', { token });

    expect(response.status).toBe(403);
    expect(response.json).toEqual(FORBIDDEN);
  });
});

describe('npm start with opaque tokens (its dev introspection endpoint)', () => {
  let server: RunningServer;
  beforeAll(async () => {
    server = await startServer();
  }, 60_000);
  afterAll(async () => {
    expect(await server?.stop()).toBe('stopped cleanly');
  });

  it('serves every route to `npm run token -- --opaque`, a token that is not a JWT', async () => {
    const token = await devToken(['--opaque']);
    expect(token).toMatch(/^[A-Za-z0-9_-]+$/);

    expect((await call(server, '/api/clients', { token })).status).toBe(200);
    const created = await call(server, '/api/scopes', {
      method: 'POST',
      token,
      body: { scope: { name: 'opaque:token' } },
    });
    expect(created.status).toBe(201);
  });

  it('checks the scopes of an opaque token per route, as a JWT’s', async () => {
    const token = await devToken(['--opaque', '--scope', 'clients:manage:all']);

    expect((await call(server, '/api/identity-providers', { token })).status).toBe(200);
    expect(
      (
        await call(server, '/api/identity-providers', {
          method: 'POST',
          token,
          body: { identity_provider: { name: 'x' } },
        })
      ).status,
    ).toBe(403);
  });

  it.each([
    ['an expired opaque token', ['--opaque', '--expires-in', '-5']],
    ['an opaque token of another issuer', undefined],
  ])('answers 401 to %s: introspection says inactive', async (_, args) => {
    const token = args ? await devToken(args) : 'c'.repeat(86);

    const response = await call(server, '/api/clients', { token });

    expect(response.status).toBe(401);
    expect(response.json).toEqual(UNAUTHORIZED);
  });

  it('refuses introspection to a client without the authorizer’s credentials', async () => {
    const response = await fetch(`${server.url}${DEV_INTROSPECTION_PATH}`, {
      method: 'POST',
      headers: {
        'Content-Type': 'application/x-www-form-urlencoded',
        Authorization: `Basic ${Buffer.from('local-authorizer:guess').toString('base64')}`,
      },
      body: new URLSearchParams({ token: await devToken(['--opaque']) }).toString(),
    });

    expect(response.status).toBe(401);
    expect(await response.json()).toEqual({ error: 'invalid_client' });
  });
});
