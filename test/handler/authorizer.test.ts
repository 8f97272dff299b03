import type { APIGatewayTokenAuthorizerEvent } from 'aws-lambda';
import { describe, expect, it, vi } from 'vitest';
import { createScopeAuthorizer } from '../../lambda/auth/scope-authorizer.js';
import { apiScopes } from '../../lambda/http/route-scopes.js';
import {
  AUDIENCE,
  adminClaims,
  ISSUER,
  jwksOf,
  nowInSeconds,
  offlineJwtAuthentication,
  rsaSigningKey,
  signJwt,
} from '../support/tokens.js';

const METHOD_ARN =
  'arn:aws:execute-api:eu-west-1:123456789012:abc123/prod/PUT/api/clients/6a2f41a3-c54c-fce8-32d2-0324e1c32e22';
const WHOLE_API = 'arn:aws:execute-api:eu-west-1:123456789012:abc123/prod/*';

const key = rsaSigningKey('key-1');
const stranger = rsaSigningKey('key-1');
const jwks = jwksOf(key);

// As the stack and the local server derive them from the route table, without a prefix.
const API_SCOPES = apiScopes({ requiredScope: 'clients:manage:all', scopePrefix: '' });

function authorizerFor(audience: string | null = null) {
  const logger = { info: vi.fn() };
  const authenticate = offlineJwtAuthentication(jwks, { audience });
  return { logger, authorize: createScopeAuthorizer({ authenticate, acceptedScopes: API_SCOPES, logger }) };
}

const event = (authorizationToken: string): APIGatewayTokenAuthorizerEvent => ({
  type: 'TOKEN',
  authorizationToken,
  methodArn: METHOD_ARN,
});

const bearer = (claims = adminClaims(), options?: Parameters<typeof signJwt>[2]) =>
  event(`Bearer ${signJwt(claims, key, options)}`);

describe('the scope authorizer', () => {
  it('allows a valid token on the whole API and passes sub, scope, exp, client_id and iss', async () => {
    const claims = adminClaims({ client_id: 'admin-ui', azp: 'other' });

    const result = await authorizerFor().authorize(bearer(claims));

    expect(result).toEqual({
      principalId: 'admin',
      policyDocument: {
        Version: '2012-10-17',
        Statement: [{ Action: 'execute-api:Invoke', Effect: 'Allow', Resource: WHOLE_API }],
      },
      context: { sub: 'admin', scope: 'clients:manage:all', exp: claims.exp, client_id: 'admin-ui', iss: ISSUER },
    });
  });

  it.each([
    ['the azp claim when there is no client_id', { azp: 'spa-client' }, 'spa-client'],
    ['nothing when neither is a string', { client_id: 42, azp: ['a'] }, ''],
  ])('passes as client_id %s', async (_, claims, clientId) => {
    const result = await authorizerFor().authorize(bearer(adminClaims(claims)));

    expect(result.context).toMatchObject({ client_id: clientId });
  });

  it.each([
    ['with the scope', adminClaims({ exp: undefined })],
    ['even without the scope (401 before 403)', adminClaims({ exp: undefined, scope: 'openid' })],
  ])('rejects (401) an authentic token without exp %s, which would never expire', async (_, claims) => {
    const { authorize, logger } = authorizerFor();

    await expect(authorize(bearer(claims))).rejects.toThrow(/^Unauthorized$/);

    expect(logger.info).toHaveBeenCalledWith('token rejected', { reason: 'Token has no numeric exp claim' });
  });

  it("takes the API's scopes from every route of the route table", () => {
    expect(API_SCOPES).toEqual([
      'clients:manage:all',
      'scopes:manage:all',
      'users:manage:all',
      'identity-providers:manage:all',
    ]);
  });

  it.each(['scopes:manage:all', 'users:manage:all', 'identity-providers:manage:all'])(
    "allows a token that holds only %s, one of the API's scopes, and passes its scopes on",
    async (scope) => {
      const result = await authorizerFor().authorize(bearer(adminClaims({ scope: `openid ${scope}` })));

      expect(result.policyDocument.Statement[0]).toMatchObject({ Effect: 'Allow' });
      expect(result.context).toMatchObject({ scope: `openid ${scope}` });
    },
  );

  it('allows a token with extra scopes', async () => {
    const result = await authorizerFor().authorize(bearer(adminClaims({ scope: 'openid clients:manage:all profile' })));

    expect(result.policyDocument.Statement[0]).toMatchObject({ Effect: 'Allow' });
  });

  it('allows a token with the configured audience', async () => {
    const result = await authorizerFor(AUDIENCE).authorize(bearer());

    expect(result.policyDocument.Statement[0]).toMatchObject({ Effect: 'Allow' });
  });

  it.each([
    ['no scope', adminClaims({ scope: undefined })],
    ['another scope', adminClaims({ scope: 'openid profile' })],
    ['a prefix of the scope', adminClaims({ scope: 'clients:manage' })],
    ['the scope with a suffix', adminClaims({ scope: 'clients:manage:all:read' })],
    ['scopes of the admin UI this API has no route for', adminClaims({ scope: 'openid upstreams:manage:all' })],
    ['a prefixed scope the deployment does not spell so', adminClaims({ scope: 'clients-api/clients:manage:all' })],
  ])('denies (403) an authentic token with %s, on the whole API', async (_, claims) => {
    const { authorize, logger } = authorizerFor();

    const result = await authorize(bearer(claims));

    expect(result).toEqual({
      principalId: 'anonymous',
      policyDocument: {
        Version: '2012-10-17',
        Statement: [{ Action: 'execute-api:Invoke', Effect: 'Deny', Resource: WHOLE_API }],
      },
    });
    expect(logger.info).toHaveBeenCalledWith('token denied', { reason: 'the token holds none of the API’s scopes' });
  });

  it.each([
    ['the scope as an array', bearer(adminClaims({ scope: ['clients:manage:all'] }))],
    ['an exp that is not a number', bearer(adminClaims({ exp: String(nowInSeconds() + 600) }))],
    ['an expired token', bearer(adminClaims({ exp: nowInSeconds() - 10 }))],
    ['a token not valid yet', bearer(adminClaims({ nbf: nowInSeconds() + 600 }))],
    ['another issuer', bearer(adminClaims({ iss: 'https://evil.example.com/' }))],
    ['a bad signature', event(`Bearer ${signJwt(adminClaims(), stranger)}`)],
    ['an unknown kid', bearer(adminClaims(), { kid: 'key-2' })],
    ['alg none', bearer(adminClaims(), { alg: 'none' })],
    [
      'HS256 signed with the public key',
      bearer(adminClaims(), { alg: 'HS256', hmacSecret: key.publicKey.export({ type: 'spki', format: 'pem' }) }),
    ],
    ['garbage', event('Bearer not.a.jwt')],
    ['an empty header', event('')],
    ['a Bearer scheme without token', event('Bearer ')],
    ['the Basic scheme', event('Basic YWRtaW46c2VjcmV0')],
  ])('rejects (401) %s', async (_, request) => {
    await expect(authorizerFor().authorize(request)).rejects.toThrow(/^Unauthorized$/);
  });

  it('rejects (401) a token for another audience when one is configured', async () => {
    await expect(authorizerFor(AUDIENCE).authorize(bearer(adminClaims({ aud: 'other-api' })))).rejects.toThrow(
      /^Unauthorized$/,
    );
  });

  it('accepts the scheme in any case', async () => {
    const token = signJwt(adminClaims(), key);

    const result = await authorizerFor().authorize(event(`bearer ${token}`));

    expect(result.policyDocument.Statement[0]).toMatchObject({ Effect: 'Allow' });
  });

  it('logs why it rejects a token, never the token', async () => {
    const { authorize, logger } = authorizerFor();
    const request = bearer(adminClaims({ exp: nowInSeconds() - 10 }));

    await expect(authorize(request)).rejects.toThrow();

    expect(logger.info).toHaveBeenCalledWith('token rejected', { reason: expect.stringMatching(/^Token expired at /) });
    expect(JSON.stringify(logger.info.mock.calls)).not.toContain(request.authorizationToken.slice(7));
  });
});
