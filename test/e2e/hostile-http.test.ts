import { createPublicKey, generateKeyPairSync } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { DEV_ISSUER, loadDevIssuer } from '../../bin/local/dev-issuer.js';
import { nowInSeconds, rsaSigningKey, type SigningKey, signJwt } from '../support/tokens.js';
import { devToken, type RunningServer, startServer } from './local-server.js';

const CLIENT = '6a2f41a3-c54c-4ce8-b2d2-0324e1c32e22';
const OTHER_CLIENT = '7b3f52b4-d65d-4df9-83e3-1435f2d43f33';
const UNAUTHORIZED = {
  code: 'UNAUTHORIZED',
  message: 'You are unauthorized to access this resource.',
  errors: { resource: ['you are unauthorized to access this resource.'] },
};
const FORBIDDEN = {
  code: 'FORBIDDEN',
  message: 'You are forbidden to access this resource.',
  errors: { resource: ['you are forbidden to access this resource.'] },
};
const NOT_FOUND = {
  code: 'NOT_FOUND',
  message: 'The requested resource could not be found.',
  errors: { resource: ['the requested resource could not be found.'] },
};

/** A raw HTTP request: the path goes out exactly as written (fetch would normalise it). */
function send(
  server: RunningServer,
  path: string,
  {
    method = 'PATCH',
    headers = {},
    body = '{"client":{}}',
  }: { method?: string; headers?: Record<string, string>; body?: string } = {},
): Promise<{ status: number; headers: Record<string, unknown>; json: Record<string, unknown> }> {
  const url = new URL(server.url);
  return new Promise((resolve, reject) => {
    const outgoing = request(
      { host: url.hostname, port: url.port, path, method, headers: { 'Content-Type': 'application/json', ...headers } },
      (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk) => chunks.push(chunk));
        response.on('end', () =>
          resolve({
            status: response.statusCode ?? 0,
            headers: response.headers,
            json: JSON.parse(Buffer.concat(chunks).toString() || 'null'),
          }),
        );
      },
    );
    outgoing.on('error', reject);
    outgoing.end(body);
  });
}

describe('hostile requests to the local server', () => {
  let folder: string;
  let server: RunningServer & { stderr: string[] };
  let token: string;
  let devKey: SigningKey;
  const secret = 'a-secret-that-must-never-reach-a-log-line';
  const privateKey = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({
    type: 'pkcs8',
    format: 'pem',
  }) as string;

  beforeAll(async () => {
    folder = await mkdtemp(join(tmpdir(), 'hostile-'));
    const seedFile = join(folder, 'seed.json');
    const publicKey = createPublicKey(privateKey).export({ type: 'spki', format: 'pem' }) as string;
    const provider = { id: '8f6c2f54-3a6b-4c61-9b36-0c3c0f1c2a10', name: 'Main directory' };
    await writeFile(
      seedFile,
      JSON.stringify({
        identity_providers: [provider],
        clients: [
          {
            id: CLIENT,
            name: 'Target',
            identity_provider: { id: provider.id },
            public_key: publicKey,
            private_key: privateKey,
          },
          { id: OTHER_CLIENT, name: 'Bystander', identity_provider: { id: provider.id } },
        ],
      }),
    );
    [server, token] = await Promise.all([
      startServer(['--seed', seedFile], { POWERTOOLS_LOG_LEVEL: 'DEBUG' }),
      devToken(),
    ]);
    const issuer = await loadDevIssuer();
    devKey = { kid: issuer.kid, privateKey: issuer.privateKey, publicKey: createPublicKey(issuer.privateKey) };
  }, 60_000);
  afterAll(async () => {
    await server?.stop();
    await rm(folder, { recursive: true, force: true });
  });

  const claims = (overrides: Record<string, unknown> = {}) => ({
    iss: DEV_ISSUER,
    sub: 'attacker',
    scope: 'clients:manage:all',
    iat: nowInSeconds(),
    exp: nowInSeconds() + 600,
    ...overrides,
  });

  describe('the token matrix over HTTP', () => {
    const cases: [string, () => string | undefined, number][] = [
      ['a valid token', () => `Bearer ${signJwt(claims(), devKey)}`, 200],
      ['extra scopes', () => `Bearer ${signJwt(claims({ scope: 'openid clients:manage:all email' }), devKey)}`, 200],
      ['no scope', () => `Bearer ${signJwt(claims({ scope: undefined }), devKey)}`, 403],
      ['a prefix of the scope', () => `Bearer ${signJwt(claims({ scope: 'clients:manage' }), devKey)}`, 403],
      ['the scope as an array', () => `Bearer ${signJwt(claims({ scope: ['clients:manage:all'] }), devKey)}`, 401],
      ['an expired token', () => `Bearer ${signJwt(claims({ exp: nowInSeconds() - 5 }), devKey)}`, 401],
      ['nbf in the future', () => `Bearer ${signJwt(claims({ nbf: nowInSeconds() + 600 }), devKey)}`, 401],
      ['another issuer', () => `Bearer ${signJwt(claims({ iss: 'https://evil.example.com' }), devKey)}`, 401],
      ['a bad signature', () => `Bearer ${signJwt(claims(), { ...rsaSigningKey('x'), kid: devKey.kid })}`, 401],
      ['an unknown kid', () => `Bearer ${signJwt(claims(), devKey, { kid: 'unknown' })}`, 401],
      ['alg none', () => `Bearer ${signJwt(claims(), devKey, { alg: 'none' })}`, 401],
      [
        'HS256 signed with the public key',
        () =>
          `Bearer ${signJwt(claims(), devKey, { alg: 'HS256', hmacSecret: devKey.publicKey.export({ type: 'spki', format: 'pem' }) })}`,
        401,
      ],
      ['garbage', () => 'Bearer garbage', 401],
      ['no Authorization header', () => undefined, 401],
      ['the Basic scheme', () => 'Basic YWRtaW46c2VjcmV0', 401],
    ];

    it.each(cases)('answers %s with %i', async (_, authorization, status) => {
      const header = authorization();

      const response = await send(server, `/api/clients/${CLIENT}`, {
        headers: header === undefined ? {} : { Authorization: header },
      });

      expect(response.status).toBe(status);
      if (status === 401) {
        expect(response.json).toEqual(UNAUTHORIZED);
        expect(response.headers['www-authenticate']).toBe('Bearer error="invalid_token"');
      }
      if (status === 403) {
        expect(response.json).toEqual(FORBIDDEN);
        expect(response.headers['www-authenticate']).toBe(
          'Bearer error="insufficient_scope", scope="clients:manage:all"',
        );
      }
    });
  });

  describe('path tricks', () => {
    const authorized = () => ({ headers: { Authorization: `Bearer ${token}` } });

    // Routing is on the raw path, as API Gateway's: nothing resolves dot segments or reads the
    // target as a URL, so no spelling of a path reaches another client than the one it names.
    it.each([
      ['an encoded slash', `/api/clients/${CLIENT}%2F..%2F${OTHER_CLIENT}`, 400],
      ['an encoded dot segment', `/api/clients/%2E%2E`, 404],
      ['a dot-dot segment that leaves the route', `/api/clients/${CLIENT}/../../x`, 404],
      ['a dot-dot segment that would land on another client', `/api/clients/${CLIENT}/../${OTHER_CLIENT}`, 404],
      ['a doubled slash', `//api/clients/${OTHER_CLIENT}`, 404],
      ['a doubled slash a URL parser reads as a host', `//localhost/api/clients/${OTHER_CLIENT}`, 404],
      ['backslashes', `/api\\clients\\${OTHER_CLIENT}`, 404],
      ['a bad percent escape', `/api/clients/%E0%A4%A`, 400],
    ])('answers %s with %i and changes nothing', async (_, path, status) => {
      const response = await send(server, path, { ...authorized(), body: '{"client":{"name":"tricked"}}' });

      expect(response.status).toBe(status);
      const bystander = await send(server, `/api/clients/${OTHER_CLIENT}`, authorized());
      expect((bystander.json.data as { name: string }).name).toBe('Bystander');
      if (status === 404) expect(response.json).toEqual(NOT_FOUND);
    });

    it('reaches the client a trailing slash names, as API Gateway does', async () => {
      const response = await send(server, `/api/clients/${CLIENT}/`, {
        ...authorized(),
        body: '{"client":{"pkce":true}}',
      });
      const bystander = await send(server, `/api/clients/${OTHER_CLIENT}`, authorized());

      expect(response.json.data).toMatchObject({ id: CLIENT, pkce: true });
      expect(bystander.json.data).toMatchObject({ id: OTHER_CLIENT, pkce: false });
    });

    it('reads an upper-case id as the same client', async () => {
      const response = await send(server, `/api/clients/${CLIENT.toUpperCase()}`, authorized());

      expect(response.status).toBe(200);
      expect((response.json.data as { id: string }).id).toBe(CLIENT);
    });

    it('updates the client of the path, whatever id the body names', async () => {
      const response = await send(server, `/api/clients/${CLIENT}`, {
        ...authorized(),
        body: JSON.stringify({ client: { id: OTHER_CLIENT, name: 'Renamed by path' } }),
      });
      const bystander = await send(server, `/api/clients/${OTHER_CLIENT}`, authorized());

      expect(response.json.data).toMatchObject({ id: CLIENT, name: 'Renamed by path' });
      expect(bystander.json.data).toMatchObject({ id: OTHER_CLIENT, name: 'Bystander' });
    });
  });

  it('logs why the authorizer refused a token, as the deployed one does, never the token', async () => {
    const expired = signJwt(claims({ exp: nowInSeconds() - 5, sub: 'late' }), devKey);
    const mangled = `${signJwt(claims(), devKey).slice(0, -4)}AAAA`;

    await send(server, `/api/clients/${CLIENT}`, { headers: { Authorization: `Bearer ${expired}` } });
    await send(server, `/api/clients/${CLIENT}`, { headers: { Authorization: `Bearer ${mangled}` } });

    // The server's stdout reaches this process a little after its answers.
    const refusals = () => server.lines.filter((line) => line.includes('"message":"token rejected"'));
    await vi.waitFor(() => expect(refusals().some((line) => line.includes('"reason":"Invalid signature'))).toBe(true));
    expect(refusals().some((line) => line.includes('"reason":"Token expired at '))).toBe(true);
    expect(refusals().join('\n')).not.toContain(expired.split('.')[2]);
    expect(refusals().join('\n')).not.toContain(mangled.split('.')[2]);
  });

  it('never writes the secret, the private key or a token to its logs', async () => {
    const headers = { Authorization: `Bearer ${token}` };
    await send(server, `/api/clients/${CLIENT}`, { headers, body: JSON.stringify({ client: { secret } }) });
    await send(server, `/api/clients/${CLIENT}`, {
      headers,
      body: JSON.stringify({ client: { secret, pkce: 'maybe' } }),
    });
    await send(server, `/api/clients/${CLIENT}`, {
      headers: { Authorization: `Bearer ${token}x` },
      body: '{"client":{}}',
    });
    await send(server, `/api/clients/${CLIENT}`, { headers, body: `{"client":{"secret":"${secret}"` });

    const banner = server.lines.slice(0, server.lines.findIndex((line) => line.startsWith('curl ')) + 1);
    const logs = [...server.lines.slice(banner.length), ...server.stderr].join('\n');
    expect(logs).toContain('"status":200');
    expect(logs).toContain('"status":422');
    for (const sensitive of [secret, privateKey.split('\n')[1] as string, token, token.split('.')[2] as string]) {
      expect(logs).not.toContain(sensitive);
    }
  });
});
