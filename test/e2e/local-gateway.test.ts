import { createServer, request, type Server } from 'node:http';
import type { APIGatewayProxyEvent, APIGatewayProxyResult, Context } from 'aws-lambda';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { createLocalGateway, type GatewayRoute, type LocalGatewayOptions } from '../../bin/local/api-gateway.js';
import { createScopeAuthorizer } from '../../lambda/auth/scope-authorizer.js';
import { AUTHORIZER_FUNCTION, INTEGRATION_TIMEOUT_SECONDS } from '../../lib/api-routes.js';
import { adminClaims, jwksOf, offlineJwtAuthentication, rsaSigningKey, signJwt } from '../support/tokens.js';

const key = rsaSigningKey('gateway-key');
const TOKEN = `Bearer ${signJwt(adminClaims(), key)}`;
const READER = `Bearer ${signJwt(adminClaims({ scope: 'openid' }), key)}`;
const NOT_FOUND = {
  code: 'NOT_FOUND',
  message: 'The requested resource could not be found.',
  errors: { resource: ['the requested resource could not be found.'] },
};
const BAD_GATEWAY = { code: 'BAD_GATEWAY', message: 'The service failed to answer.' };

/** What a function saw, as it answers: the gateway under test hands it over unchanged. */
type Seen = { event: APIGatewayProxyEvent; context: Context };
const seen: Seen[] = [];
const echo = async (event: APIGatewayProxyEvent, context: Context): Promise<APIGatewayProxyResult> => {
  seen.push({ event, context });
  return { statusCode: 200, headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ ok: true }) };
};

function route(method: string, resource: string, overrides: Partial<GatewayRoute> = {}): GatewayRoute {
  return {
    method,
    resource,
    handler: echo,
    functionName: 'echo',
    memorySize: 512,
    timeoutSeconds: 10,
    scopes: { accepted: ['clients:manage:all'], challenge: 'clients:manage:all' },
    ...overrides,
  };
}

const ROUTES = [
  route('GET', '/api/clients'),
  route('POST', '/api/clients'),
  route('GET', '/api/clients/{client_id}'),
  route('PUT', '/api/clients/{client_id}'),
  route('PATCH', '/api/clients/{client_id}'),
  route('DELETE', '/api/clients/{client_id}'),
];

const servers: Server[] = [];

async function startGateway(overrides: Partial<LocalGatewayOptions> = {}): Promise<string> {
  const server = createServer(
    createLocalGateway({
      routes: ROUTES,
      requiredScope: 'clients:manage:all',
      authorizer: createScopeAuthorizer({
        authenticate: offlineJwtAuthentication(jwksOf(key)),
        acceptedScopes: ['clients:manage:all'],
        logger: { info: () => {} },
      }),
      ...overrides,
    }),
  );
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as { port: number }).port}`;
}

/** A raw HTTP request: the target goes out exactly as written (fetch would normalise it). */
function send(
  base: string,
  target: string,
  {
    method = 'GET',
    headers = { Authorization: TOKEN },
    body,
  }: { method?: string; headers?: Record<string, string>; body?: Buffer | string } = {},
): Promise<{ status: number; headers: Record<string, unknown>; text: string; json: unknown }> {
  const url = new URL(base);
  return new Promise((resolve, reject) => {
    // Node sends a DELETE's or an OPTIONS' body unframed unless told its length.
    const framing = body === undefined ? {} : { 'Content-Length': String(Buffer.byteLength(body)) };
    const outgoing = request(
      { host: url.hostname, port: url.port, path: target, method, headers: { ...framing, ...headers } },
      (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk) => chunks.push(chunk));
        response.on('end', () => {
          const text = Buffer.concat(chunks).toString();
          let json: unknown;
          try {
            json = JSON.parse(text);
          } catch {
            json = undefined;
          }
          resolve({ status: response.statusCode ?? 0, headers: response.headers, text, json });
        });
      },
    );
    outgoing.on('error', reject);
    outgoing.end(body);
  });
}

afterEach(() => {
  seen.length = 0;
});
afterAll(async () => {
  await Promise.all(servers.map((server) => new Promise((resolve) => server.close(resolve))));
});

describe('routing on the raw path, as API Gateway REST does', () => {
  let base: string;
  beforeAll(async () => {
    base = await startGateway();
  });

  it.each([
    ['GET', '/api/clients/', '/api/clients'],
    ['POST', '/api/clients/', '/api/clients'],
    ['PATCH', '/api/clients/abc/', '/api/clients/{client_id}'],
  ])('routes %s %s (a trailing slash) to the same resource, path as sent', async (method, target, resource) => {
    const response = await send(base, target, { method });

    expect(response.status).toBe(200);
    expect(seen[0]?.event).toMatchObject({ resource, path: target, requestContext: { path: target, stage: 'v1' } });
  });

  it.each([
    ['a doubled slash', '/api//clients'],
    ['a leading doubled slash, which a URL parser reads as a host', '//localhost/api/clients/abc'],
    ['backslashes', '/api\\clients\\abc'],
    ['a dot-dot segment', '/api/clients/abc/../def'],
    ['a dot segment', '/api/./clients'],
    ['an encoded dot-dot segment as the id', '/api/clients/%2E%2E'],
    ['an encoded dot-dot segment', '/api/clients/x/%2e%2e'],
    ['a path in another case', '/API/clients'],
    ['an absolute URL as target', 'http://localhost/api/clients'],
  ])('answers %s with 404, reaching no function', async (_, target) => {
    const response = await send(base, target, { method: 'PATCH' });

    expect(response.status).toBe(404);
    expect(response.json).toEqual(NOT_FOUND);
    expect(seen).toHaveLength(0);
  });

  it('keeps an encoded slash inside its path parameter', async () => {
    await send(base, '/api/clients/a%2F..%2Fb');

    expect(seen[0]?.event.pathParameters).toEqual({ client_id: 'a/../b' });
  });

  it('reads the query string apart from the path', async () => {
    await send(base, '/api/clients/?limit=2&cursor=a%2Bb');

    expect(seen[0]?.event).toMatchObject({
      path: '/api/clients/',
      queryStringParameters: { limit: '2', cursor: 'a+b' },
    });
  });

  it('groups repeated query parameters, and keeps a hostile name as a plain key', async () => {
    await send(base, '/api/clients/?limit=1&__proto__=polluted&limit=2');

    const { queryStringParameters, multiValueQueryStringParameters } = seen[0]?.event ?? {};
    expect(JSON.stringify(queryStringParameters)).toBe('{"limit":"2","__proto__":"polluted"}');
    expect(JSON.stringify(multiValueQueryStringParameters)).toBe('{"limit":["1","2"],"__proto__":["polluted"]}');
    expect(Object.getPrototypeOf(queryStringParameters)).toBe(Object.prototype);
    expect(Object.getPrototypeOf(multiValueQueryStringParameters)).toBe(Object.prototype);
  });
});

describe('the methods a resource lacks (its MOCK ANY method)', () => {
  let base: string;
  beforeAll(async () => {
    base = await startGateway();
  });

  it.each(['PUT', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS'])(
    'answers %s /api/clients with 405 and Allow',
    async (method) => {
      const response = await send(base, '/api/clients', { method });

      expect(response.status).toBe(405);
      expect(response.headers.allow).toBe('GET, POST');
      if (method !== 'HEAD') {
        expect(response.json).toEqual({
          code: 'METHOD_NOT_ALLOWED',
          message: 'The method is not allowed for this resource.',
        });
      }
      expect(seen).toHaveLength(0);
    },
  );

  it('lists every method of the resource in Allow', async () => {
    const response = await send(base, '/api/clients/abc/', { method: 'POST' });

    expect(response.headers.allow).toBe('GET, PUT, PATCH, DELETE');
  });

  it.each([
    ['text/plain', 'x'],
    ['application/x-www-form-urlencoded', 'a=b'],
    ['application/merge-patch+json', '{}'],
    ['application/json; charset=utf-8', '{}'],
    ['Text/Plain; charset=UTF-8', 'x'],
    ['multipart/form-data; boundary=x', '--x--'],
  ])('answers 405 to a body of %s, a type its request templates map', async (type, body) => {
    const response = await send(base, '/api/clients', {
      method: 'DELETE',
      headers: { Authorization: TOKEN, 'Content-Type': type },
      body,
    });

    expect(response.status).toBe(405);
    expect(response.headers.allow).toBe('GET, POST');
  });

  it('answers 415 with the gateway response to a type no request template maps, after the authorizer', async () => {
    const request = (headers: Record<string, string>) =>
      send(base, '/api/clients', {
        method: 'DELETE',
        headers: { ...headers, 'Content-Type': 'application/pdf' },
        body: '%PDF',
      });

    const unmapped = await request({ Authorization: TOKEN });
    const withoutToken = await request({});

    expect(unmapped.status).toBe(415);
    expect(unmapped.json).toEqual({
      code: 'UNSUPPORTED_MEDIA_TYPE',
      message: 'The request body must be application/json in UTF-8.',
    });
    expect(unmapped.headers.allow).toBeUndefined();
    expect(withoutToken.status).toBe(401);
    expect(seen).toHaveLength(0);
  });

  it('authorizes first: 401 without a token, 403 without the scope, then 405', async () => {
    const statuses = await Promise.all(
      ([{}, { Authorization: READER }, { Authorization: TOKEN }] as Record<string, string>[]).map(
        async (headers) => (await send(base, '/api/clients', { method: 'PUT', headers })).status,
      ),
    );

    expect(statuses).toEqual([401, 403, 405]);
  });
});

describe("the 405 MOCK method, for a token without its resource's scopes", () => {
  const CLIENTS = 'clients:manage:all';
  const PROVIDERS = 'identity-providers:manage:all';
  const readers = { accepted: [CLIENTS, PROVIDERS], challenge: CLIENTS };
  const writers = { accepted: [PROVIDERS], challenge: PROVIDERS };
  const tokenWith = (scope: string) => `Bearer ${signJwt(adminClaims({ scope }), key)}`;
  let base: string;
  beforeAll(async () => {
    base = await startGateway({
      routes: [
        route('GET', '/api/identity-providers', { scopes: readers }),
        route('POST', '/api/identity-providers', { scopes: writers }),
      ],
      authorizer: createScopeAuthorizer({
        authenticate: offlineJwtAuthentication(jwksOf(key)),
        acceptedScopes: [CLIENTS, PROVIDERS, 'users:manage:all'],
        logger: { info: () => {} },
      }),
    });
  });

  it('answers 403 as the functions do, naming the scope of its first method, before the 405', async () => {
    const response = await send(base, '/api/identity-providers', {
      method: 'DELETE',
      headers: { Authorization: tokenWith('openid users:manage:all') },
    });

    expect(response.status).toBe(403);
    expect(response.json).toEqual({
      code: 'FORBIDDEN',
      message: 'You are forbidden to access this resource.',
      errors: { resource: ['you are forbidden to access this resource.'] },
    });
    expect(response.headers['www-authenticate']).toBe('Bearer error="insufficient_scope", scope="clients:manage:all"');
    expect(response.headers.allow).toBeUndefined();
  });

  it.each([
    ['a scope of one of its methods only', `openid ${PROVIDERS}`],
    ['a scope of another method', CLIENTS],
  ])('answers 405 to a token holding %s', async (_, scope) => {
    const response = await send(base, '/api/identity-providers', {
      method: 'DELETE',
      headers: { Authorization: tokenWith(scope) },
    });

    expect(response.status).toBe(405);
    expect(response.headers.allow).toBe('GET, POST');
  });

  it.each([
    ['a prefix of one', 'identity-providers:manage'],
    ['one with more after it', `${PROVIDERS}:x users:manage:all`],
  ])('holds a scope only as a whole token: 403 to %s', async (_, scope) => {
    const response = await send(base, '/api/identity-providers', {
      method: 'PUT',
      headers: { Authorization: tokenWith(`users:manage:all ${scope}`) },
    });

    expect(response.status).toBe(403);
  });
});

describe("the token authorizer's result cache", () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('asks the authorizer once per token for as long as the stack caches its answer, then again', async () => {
    vi.useFakeTimers({ toFake: ['Date'], now: Date.UTC(2026, 0, 1) });
    const tokens: string[] = [];
    const base = await startGateway({
      authorizer: async (event) => {
        tokens.push(event.authorizationToken);
        return {
          principalId: 'admin',
          policyDocument: {
            Version: '2012-10-17',
            Statement: [{ Action: 'execute-api:Invoke', Effect: 'Allow', Resource: '*' }],
          },
          context: { scope: 'clients:manage:all' },
        };
      },
    });
    const ttlMs = AUTHORIZER_FUNCTION.resultsCacheTtlSeconds * 1000;

    await send(base, '/api/clients');
    vi.advanceTimersByTime(ttlMs - 1);
    await send(base, '/api/clients');
    expect(tokens).toEqual([TOKEN]);

    vi.advanceTimersByTime(1);
    await send(base, '/api/clients');
    expect(tokens).toEqual([TOKEN, TOKEN]);
  });
});

describe('function timeouts, failures and limits', () => {
  const slow =
    (milliseconds: number) =>
    async (event: APIGatewayProxyEvent, context: Context): Promise<APIGatewayProxyResult> => {
      seen.push({ event, context });
      await new Promise((resolve) => setTimeout(resolve, milliseconds));
      return { statusCode: 200, body: '{}' };
    };

  it('answers 502 when the function outlives its own timeout, and tells it the time it has', async () => {
    const base = await startGateway({ routes: [route('GET', '/slow', { handler: slow(1_500), timeoutSeconds: 1 })] });

    const response = await send(base, '/slow');

    expect(response.status).toBe(502);
    expect(response.json).toEqual(BAD_GATEWAY);
    expect(seen[0]?.context.getRemainingTimeInMillis()).toBeLessThanOrEqual(1_000);
    expect(seen[0]?.context).toMatchObject({ functionName: 'echo', memoryLimitInMB: '512' });
  });

  it("answers 504 when API Gateway's integration timeout comes first", async () => {
    const base = await startGateway({
      routes: [route('GET', '/slow', { handler: slow(1_500), timeoutSeconds: INTEGRATION_TIMEOUT_SECONDS + 1 })],
      integrationTimeoutMs: 500,
    });

    const response = await send(base, '/slow');

    expect(response.status).toBe(504);
    expect(response.json).toEqual({ code: 'GATEWAY_TIMEOUT', message: 'The service did not answer in time.' });
  });

  it.each([
    [
      'throws',
      async () => {
        throw new Error('boom');
      },
    ],
    ['answers something that is not a proxy result', async () => ({ body: 'no status' }) as never],
    [
      "answers more than Lambda's 6 MB",
      async () => ({ statusCode: 200, body: JSON.stringify({ data: 'x'.repeat(6 * 1024 * 1024) }) }),
    ],
  ])('answers 502 when the function %s', async (_, handler) => {
    const base = await startGateway({ routes: [route('GET', '/failing', { handler })] });

    const response = await send(base, '/failing');

    expect(response.status).toBe(502);
    expect(response.json).toEqual(BAD_GATEWAY);
  });

  it.each([
    ['a text answer with multibyte characters', { statusCode: 200, body: '{"name":"é€😀"}' }, '{"name":"é€😀"}'],
    [
      'a base64-encoded answer',
      { statusCode: 200, body: Buffer.from('bytes é').toString('base64'), isBase64Encoded: true },
      'bytes é',
    ],
  ])('sends %s whole, with its length in bytes', async (_, answer, text) => {
    const base = await startGateway({ routes: [route('GET', '/answer', { handler: async () => answer })] });

    const response = await send(base, '/answer');

    expect(response.status).toBe(200);
    expect(response.text).toBe(text);
    expect(response.headers['content-length']).toBe(String(Buffer.byteLength(text)));
  });

  it('keeps serving, and runs no function, when a client goes away in the middle of its body', async () => {
    const base = await startGateway();
    const { hostname, port } = new URL(base);

    await new Promise<void>((resolve) => {
      const outgoing = request({
        host: hostname,
        port,
        path: '/api/clients',
        method: 'POST',
        headers: { Authorization: TOKEN, 'Content-Type': 'application/json', 'Content-Length': '1000' },
      });
      outgoing.on('error', () => {});
      outgoing.write('{"client":', () => {
        // Long enough for the gateway to be reading the body when the connection drops.
        setTimeout(() => {
          outgoing.destroy();
          setTimeout(resolve, 100);
        }, 50);
      });
    });
    const response = await send(base, '/api/clients');

    expect(response.status).toBe(200);
    expect(seen.map(({ event }) => event.httpMethod)).toEqual(['GET']);
  });

  it("answers 413 to a body over API Gateway's 10 MB, before any function", async () => {
    const base = await startGateway();

    const response = await send(base, '/api/clients', { method: 'POST', body: Buffer.alloc(10 * 1024 * 1024 + 1) });

    expect(response.status).toBe(413);
    expect(response.json).toEqual({
      code: 'PAYLOAD_TOO_LARGE',
      message: 'The request body is larger than 102400 bytes.',
    });
    expect(seen).toHaveLength(0);
  });

  it("answers 500 to a body that passes API Gateway but not Lambda's 6 MB invocation limit", async () => {
    const base = await startGateway();

    const response = await send(base, '/api/clients', { method: 'POST', body: Buffer.alloc(7 * 1024 * 1024, 'a') });

    expect(response.status).toBe(500);
    expect(response.json).toEqual({ code: 'INTERNAL_SERVER_ERROR', message: 'An internal error occurred.' });
    expect(seen).toHaveLength(0);
  });

  it('hands a body that is not UTF-8 over as text, as API Gateway does without binary media types', async () => {
    const base = await startGateway();

    await send(base, '/api/clients', {
      method: 'POST',
      headers: { Authorization: TOKEN, 'Content-Type': 'application/json' },
      body: Buffer.concat([Buffer.from('{"client":{"name":"'), Buffer.from([0xff, 0xfe]), Buffer.from('"}}')]),
    });

    expect(seen[0]?.event).toMatchObject({ isBase64Encoded: false, body: '{"client":{"name":"\uFFFD\uFFFD"}}' });
  });
});

describe('throttling', () => {
  const THROTTLED = { code: 'TOO_MANY_REQUESTS', message: 'Too many requests. Retry later.' };

  it("answers 429 with the gateway response once the stage's burst is spent, and admits again at its rate", async () => {
    const base = await startGateway({ stageThrottle: { rateLimit: 5, burstLimit: 3 } });

    const burst = await Promise.all(Array.from({ length: 5 }, () => send(base, '/api/clients')));
    await new Promise((resolve) => setTimeout(resolve, 450));
    const later = await send(base, '/api/clients');

    expect(burst.map((response) => response.status).sort()).toEqual([200, 200, 200, 429, 429]);
    const throttled = burst.find((response) => response.status === 429);
    expect(throttled?.json).toEqual(THROTTLED);
    expect(throttled?.headers['retry-after']).toBe('1');
    expect(later.status).toBe(200);
  });

  it("throttles a method with its own limit below the stage's", async () => {
    const base = await startGateway({
      stageThrottle: { rateLimit: 100, burstLimit: 100 },
      routes: [
        ...ROUTES.filter((each) => each.method !== 'POST'),
        route('POST', '/api/clients', { throttle: { rateLimit: 1, burstLimit: 2 } }),
      ],
    });

    const posts = await Promise.all(Array.from({ length: 4 }, () => send(base, '/api/clients', { method: 'POST' })));
    const get = await send(base, '/api/clients');

    expect(posts.map((response) => response.status).sort()).toEqual([200, 200, 429, 429]);
    expect(get.status).toBe(200);
  });

  it('throttles nothing without a stage throttle (--no-throttle)', async () => {
    const base = await startGateway();

    const responses = await Promise.all(Array.from({ length: 150 }, () => send(base, '/api/clients')));

    expect(responses.every((response) => response.status === 200)).toBe(true);
  });
});

describe('CORS, as the stack configures it for several origins', () => {
  const ADMIN_UI = 'https://admin.example.com';
  const LOCAL_UI = 'http://localhost:4001';
  const EXPOSED = 'ETag, Location, WWW-Authenticate, Retry-After';
  const corsOf = (headers: Record<string, unknown>) =>
    Object.fromEntries(Object.entries(headers).filter(([name]) => /^(access-control-|vary$)/.test(name)));
  let base: string;
  beforeAll(async () => {
    base = await startGateway({ corsOrigins: [ADMIN_UI, LOCAL_UI] });
  });

  it('answers a preflight from an allowed origin with 204 and its methods, without a token or a function', async () => {
    const response = await send(base, '/api/clients/abc', {
      method: 'OPTIONS',
      headers: { Origin: LOCAL_UI, 'Access-Control-Request-Method': 'PATCH' },
    });

    expect(response.status).toBe(204);
    expect(response.text).toBe('');
    expect(corsOf(response.headers)).toEqual({
      'access-control-allow-origin': LOCAL_UI,
      'access-control-allow-methods': 'GET, PUT, PATCH, DELETE, OPTIONS',
      'access-control-allow-headers': 'Authorization, Content-Type, If-Match',
      'access-control-max-age': '600',
      vary: 'Origin',
    });
    expect(seen).toEqual([]);
  });

  it('answers a preflight that carries a body of a mapped type with 204, of another type with the 415 gateway response', async () => {
    const preflight = (type: string) =>
      send(base, '/api/clients', {
        method: 'OPTIONS',
        headers: { Origin: ADMIN_UI, 'Content-Type': type },
        body: 'x',
      });

    const mapped = await preflight('text/plain;charset=UTF-8');
    const unmapped = await preflight('application/pdf');

    expect(mapped.status).toBe(204);
    expect(mapped.headers['access-control-allow-methods']).toBe('GET, POST, OPTIONS');
    expect(unmapped.status).toBe(415);
    expect(unmapped.json).toEqual({
      code: 'UNSUPPORTED_MEDIA_TYPE',
      message: 'The request body must be application/json in UTF-8.',
    });
    expect(corsOf(unmapped.headers)).toEqual({
      'access-control-allow-origin': ADMIN_UI,
      'access-control-expose-headers': EXPOSED,
      vary: 'Origin',
    });
  });

  it.each([
    ['another origin', { Origin: 'https://evil.example.com' }],
    ['no Origin', {}],
  ])('answers a preflight from %s with 204 and no CORS header', async (_, headers) => {
    const response = await send(base, '/api/clients/', { method: 'OPTIONS', headers });

    expect(response.status).toBe(204);
    expect(corsOf(response.headers)).toEqual({ vary: 'Origin' });
  });

  it.each([
    ['401 without a token', '/api/clients', {}, 401],
    ['401 with a bad token', '/api/clients', { Authorization: 'Bearer not.a.jwt' }, 401],
    ['403 without any of the scopes', '/api/clients', { Authorization: READER }, 403],
    ['404 for an unknown path', '/api/unknown', { Authorization: TOKEN }, 404],
  ])(
    'gives a gateway response (%s) the first allowed origin, fixed, whatever the request’s, as AWS can only',
    async (_, target, headers, status) => {
      for (const origin of [ADMIN_UI, LOCAL_UI, 'https://evil.example.com']) {
        const response = await send(base, target, { headers: { ...headers, Origin: origin } });

        expect(response.status).toBe(status);
        expect(corsOf(response.headers)).toEqual({
          'access-control-allow-origin': ADMIN_UI,
          'access-control-expose-headers': EXPOSED,
          vary: 'Origin',
        });
      }
    },
  );

  it('gives the 405 MOCK answer the headers of an allowed origin, and none to another', async () => {
    const allowed = await send(base, '/api/clients/abc', {
      method: 'POST',
      headers: { Authorization: TOKEN, Origin: LOCAL_UI },
    });
    const other = await send(base, '/api/clients/abc', {
      method: 'POST',
      headers: { Authorization: TOKEN, Origin: 'https://evil.example.com' },
    });

    expect(allowed.status).toBe(405);
    expect(corsOf(allowed.headers)).toEqual({
      'access-control-allow-origin': LOCAL_UI,
      'access-control-expose-headers': EXPOSED,
      vary: 'Origin',
    });
    expect(other.status).toBe(405);
    expect(corsOf(other.headers)).toEqual({ vary: 'Origin' });
  });

  it('hands a function’s answer over as it is: the function adds its own CORS headers', async () => {
    const response = await send(base, '/api/clients', { headers: { Authorization: TOKEN, Origin: ADMIN_UI } });

    expect(response.status).toBe(200);
    expect(corsOf(response.headers)).toEqual({});
    expect(seen[0]?.event.headers).toMatchObject({ Origin: ADMIN_UI });
  });

  it('keeps OPTIONS behind the authorizer and the 405 when no origin is allowed', async () => {
    const withoutCors = await startGateway();

    const response = await send(withoutCors, '/api/clients', { method: 'OPTIONS', headers: { Origin: ADMIN_UI } });

    expect(response.status).toBe(401);
    expect(corsOf(response.headers)).toEqual({});
  });
});
