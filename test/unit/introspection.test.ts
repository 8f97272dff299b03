import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import {
  type ClientAuthMethod,
  clientSecretOf,
  INTROSPECTION_TIMEOUT_MS,
  IntrospectionError,
  introspectionAuthentication,
} from '../../lambda/auth/introspection.js';
import { SECRET_READ_TIMEOUT_MS } from '../../lambda/auth/introspection-secret.js';
import { createScopeAuthorizer } from '../../lambda/auth/scope-authorizer.js';
import { apiScopes } from '../../lambda/http/route-scopes.js';
import { AUTHORIZER_FUNCTION } from '../../lib/api-routes.js';
import { bearerEvent, nowInSeconds } from '../support/tokens.js';

const TOKEN = 'kGZbTPXmY3vN0hQ8fW2sLrJ6cD1aE9uB4oI7tRyPqMnV5xZwKjHgFdSaLkJhGfDs';
const CLIENT_ID = 'api gateway+authorizer';
const CLIENT_SECRET = 's3cr:t/with+symbols';

/** What the introspection server was sent, and how it answers next. */
interface Exchange {
  url?: string;
  method?: string;
  headers?: IncomingMessage['headers'];
  form?: URLSearchParams;
}
let last: Exchange = {};
let respond: (response: ServerResponse) => void;
const json =
  (body: unknown, status = 200) =>
  (response: ServerResponse) => {
    response.writeHead(status, { 'Content-Type': 'application/json' });
    response.end(typeof body === 'string' ? body : JSON.stringify(body));
  };

let server: Server;
let url: string;
beforeAll(async () => {
  server = createServer(async (request, response) => {
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    last = {
      url: request.url,
      method: request.method,
      headers: request.headers,
      form: new URLSearchParams(Buffer.concat(chunks).toString()),
    };
    respond(response);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as { port: number }).port}/oauth/introspect`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});
beforeEach(() => {
  last = {};
});

const active = (overrides: Record<string, unknown> = {}) => ({
  active: true,
  client_id: 'boruta-admin-ui',
  username: 'admin@example.com',
  scope: 'openid clients:manage:all scopes:manage:all',
  sub: 'a0b1c2d3-0000-4000-8000-000000000001',
  iss: 'https://boruta.example.com',
  exp: nowInSeconds() + 600,
  iat: nowInSeconds(),
  ...overrides,
});

function authorizerFor(
  options: {
    authMethod?: ClientAuthMethod;
    timeoutMs?: number;
    onCredentialsRejected?: () => void;
    acceptedClientIds?: string[];
    acceptedAudiences?: string[];
  } = {},
) {
  const logger = { info: vi.fn() };
  const authenticate = introspectionAuthentication({
    url,
    clientId: CLIENT_ID,
    clientSecret: async () => CLIENT_SECRET,
    ...options,
  });
  const authorize = createScopeAuthorizer({
    authenticate,
    acceptedScopes: apiScopes({ requiredScope: 'clients:manage:all', scopePrefix: '' }),
    logger,
  });
  return {
    logger,
    authorize: (token = TOKEN) => authorize(bearerEvent(token)),
  };
}

describe('opaque tokens through an introspection endpoint (RFC 7662)', () => {
  it('allows an active token with one of the scopes and a future exp, as a valid JWT, passing its claims on', async () => {
    const answer = active();
    respond = json(answer);

    const result = await authorizerFor().authorize();

    expect(result).toEqual({
      principalId: answer.sub,
      policyDocument: {
        Version: '2012-10-17',
        Statement: [
          {
            Action: 'execute-api:Invoke',
            Effect: 'Allow',
            Resource: 'arn:aws:execute-api:eu-west-1:123456789012:abc123/v1/*',
          },
        ],
      },
      context: {
        sub: answer.sub,
        scope: answer.scope,
        exp: answer.exp,
        client_id: 'boruta-admin-ui',
        iss: 'https://boruta.example.com',
      },
    });
  });

  it('posts the token as a form, asks for JSON, and authenticates with HTTP Basic of the form-encoded credentials', async () => {
    respond = json(active());

    await authorizerFor().authorize();

    expect(last.method).toBe('POST');
    expect(last.headers).toMatchObject({
      'content-type': 'application/x-www-form-urlencoded',
      accept: 'application/json',
      authorization: `Basic ${Buffer.from('api+gateway%2Bauthorizer:s3cr%3At%2Fwith%2Bsymbols').toString('base64')}`,
    });
    expect(Object.fromEntries(last.form ?? [])).toEqual({ token: TOKEN, token_type_hint: 'access_token' });
  });

  it('sends the credentials in the form instead with client_secret_post', async () => {
    respond = json(active());

    await authorizerFor({ authMethod: 'client_secret_post' }).authorize();

    expect(last.headers?.authorization).toBeUndefined();
    expect(Object.fromEntries(last.form ?? [])).toEqual({
      token: TOKEN,
      token_type_hint: 'access_token',
      client_id: CLIENT_ID,
      client_secret: CLIENT_SECRET,
    });
  });

  it('denies (403) an active token that holds none of the API scopes', async () => {
    respond = json(active({ scope: 'openid upstreams:manage:all' }));

    const result = await authorizerFor().authorize();

    expect(result.policyDocument.Statement[0]).toMatchObject({ Effect: 'Deny' });
  });

  it.each<[string, (response: ServerResponse) => void, string]>([
    ['an inactive token', json({ active: false }), 'token is not active'],
    ['"active" that is not true', json(active({ active: 'true' })), 'token is not active'],
    ['an HTTP error', json({ error: 'server_error' }, 500), 'introspection answered 500'],
    ['refused client credentials', json({ error: 'invalid_client' }, 401), 'introspection answered 401'],
    ['a body that is not JSON', json('<html>maintenance</html>'), 'introspection answer is not JSON'],
    ['JSON that is not an object', json('[true]'), 'introspection answer is not a JSON object'],
    ['an active token without exp', json(active({ exp: undefined })), 'Token has no numeric exp claim'],
    [
      'an exp that is not a number',
      json(active({ exp: String(nowInSeconds() + 600) })),
      'Token has no numeric exp claim',
    ],
    ['an exp in the past', json(active({ exp: nowInSeconds() - 1 })), 'Token has expired'],
    ['a token not valid yet', json(active({ nbf: nowInSeconds() + 600 })), 'token is not valid yet'],
    ['a refresh token (token_use)', json(active({ token_use: 'refresh_token' })), 'token is not an access token'],
    [
      'a scope that is not a string',
      json(active({ scope: ['clients:manage:all'] })),
      'Token scope claim is not a string',
    ],
    [
      'a redirect, which the token must not follow (to an endpoint that would say active)',
      (response) => {
        if (last.url?.endsWith('/followed')) return json(active())(response);
        response.writeHead(307, { Location: `${url}/followed` });
        response.end();
      },
      'introspection request failed',
    ],
  ])('rejects (401) %s, never a pass', async (_, answer, reason) => {
    respond = answer;
    const { authorize, logger } = authorizerFor();

    await expect(authorize()).rejects.toThrow(/^Unauthorized$/);

    expect(logger.info).toHaveBeenCalledWith('token rejected', { reason });
    expect(JSON.stringify(logger.info.mock.calls)).not.toContain(TOKEN);
  });

  it('rejects (401) when the endpoint does not answer in time', async () => {
    respond = () => {}; // never answers
    const { authorize, logger } = authorizerFor({ timeoutMs: 150 });

    await expect(authorize()).rejects.toThrow(/^Unauthorized$/);

    expect(logger.info).toHaveBeenCalledWith('token rejected', { reason: 'introspection timed out after 150 ms' });
  });

  it('rejects (401) when the endpoint cannot be reached', async () => {
    const logger = { info: vi.fn() };
    const authorize = createScopeAuthorizer({
      authenticate: introspectionAuthentication({
        url: 'http://127.0.0.1:1/introspect',
        clientId: CLIENT_ID,
        clientSecret: async () => CLIENT_SECRET,
      }),
      acceptedScopes: ['clients:manage:all'],
      logger,
    });

    await expect(authorize(bearerEvent(TOKEN))).rejects.toThrow(/^Unauthorized$/);
    expect(logger.info).toHaveBeenCalledWith('token rejected', { reason: 'introspection request failed' });
  });

  it('tells its owner when the endpoint refuses the credentials, so that a rotated secret is read again', async () => {
    respond = json({ error: 'invalid_client' }, 401);
    const onCredentialsRejected = vi.fn();

    await expect(authorizerFor({ onCredentialsRejected }).authorize()).rejects.toThrow(/^Unauthorized$/);

    expect(onCredentialsRejected).toHaveBeenCalledTimes(1);
  });

  it.each<[string, Record<string, unknown>, { acceptedClientIds?: string[]; acceptedAudiences?: string[] }]>([
    ['of an accepted client', {}, { acceptedClientIds: ['other-client', 'boruta-admin-ui'] }],
    ['for an accepted audience (a string)', { aud: 'clients-api' }, { acceptedAudiences: ['clients-api'] }],
    [
      'for an accepted audience (in an array)',
      { aud: ['other-api', 'clients-api'] },
      { acceptedAudiences: ['clients-api'] },
    ],
    [
      'matching both lists when both are given',
      { aud: 'clients-api' },
      { acceptedClientIds: ['boruta-admin-ui'], acceptedAudiences: ['clients-api'] },
    ],
  ])('allows an active token %s', async (_, claims, accepted) => {
    respond = json(active(claims));

    const result = await authorizerFor(accepted).authorize();

    expect(result.policyDocument.Statement[0]).toMatchObject({ Effect: 'Allow' });
  });

  it.each<[string, Record<string, unknown>, { acceptedClientIds?: string[]; acceptedAudiences?: string[] }, string]>([
    [
      'of another client of the server',
      { client_id: 'some-other-app' },
      { acceptedClientIds: ['boruta-admin-ui'] },
      'token client_id is not one of the accepted clients',
    ],
    [
      'without client_id',
      { client_id: undefined },
      { acceptedClientIds: ['boruta-admin-ui'] },
      'token client_id is not one of the accepted clients',
    ],
    [
      'for another audience',
      { aud: ['other-api'] },
      { acceptedAudiences: ['clients-api'] },
      'token aud is not one of the accepted audiences',
    ],
    ['without aud', {}, { acceptedAudiences: ['clients-api'] }, 'token aud is not one of the accepted audiences'],
    [
      'of an accepted client but for another audience, when both lists are given',
      { aud: 'other-api' },
      { acceptedClientIds: ['boruta-admin-ui'], acceptedAudiences: ['clients-api'] },
      'token aud is not one of the accepted audiences',
    ],
  ])('rejects (401) an active token with an API scope %s', async (_, claims, accepted, reason) => {
    respond = json(active(claims));
    const { authorize, logger } = authorizerFor(accepted);

    await expect(authorize()).rejects.toThrow(/^Unauthorized$/);

    expect(logger.info).toHaveBeenCalledWith('token rejected', { reason });
    expect(JSON.stringify(logger.info.mock.calls)).not.toContain(TOKEN);
  });

  it("waits for the endpoint and the secret well within the authorizer's own timeout", () => {
    const authorizerMs = AUTHORIZER_FUNCTION.timeoutSeconds * 1000;
    expect(INTROSPECTION_TIMEOUT_MS).toBeLessThanOrEqual(authorizerMs / 2);
    expect(SECRET_READ_TIMEOUT_MS + INTROSPECTION_TIMEOUT_MS).toBeLessThanOrEqual(authorizerMs * 0.75);
  });
});

describe('the client secret as kept in Secrets Manager', () => {
  it.each([
    ['a plain string', 'plain-secret', 'plain-secret'],
    ['a string that looks like a number', '12345', '12345'],
    [
      'JSON with client_secret (the console’s key/value form)',
      '{"client_secret":"from-json","client_id":"x"}',
      'from-json',
    ],
  ])('reads %s', (_, stored, secret) => {
    expect(clientSecretOf(stored)).toBe(secret);
  });

  it('refuses JSON without a client_secret string', () => {
    expect(() => clientSecretOf('{"secret":"x"}')).toThrow(
      new IntrospectionError('the secret holds JSON without a client_secret string'),
    );
  });
});
