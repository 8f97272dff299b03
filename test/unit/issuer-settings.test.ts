import { constants, generateKeyPairSync, type KeyObject, sign } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { IssuerDiscoveryError } from '../../lambda/auth/oidc-discovery.js';
import { createScopeAuthorizer, jwtAuthentication } from '../../lambda/auth/scope-authorizer.js';
import { verifierFromEnvironment } from '../../lambda/auth/verifier.js';
import { AUDIENCE, adminClaims, bearerEvent, nowInSeconds } from '../support/tokens.js';

// Keycloak's layout: the keys are not at <issuer>/.well-known/jwks.json.
const ISSUER = 'https://idp.example.com/realms/admin';
const DISCOVERY_URL = `${ISSUER}/.well-known/openid-configuration`;
const JWKS_URI = `${ISSUER}/protocol/openid-connect/certs`;

const base64url = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

interface TestKey {
  alg: string;
  privateKey: KeyObject;
  jwk: Record<string, unknown>;
}

/** A key of the kind `alg` signs with, and its public JWK. */
function keyFor(alg: string): TestKey {
  const pair = alg.startsWith('ES')
    ? generateKeyPairSync('ec', { namedCurve: { ES256: 'P-256', ES384: 'P-384', ES512: 'P-521' }[alg] as string })
    : alg === 'EdDSA'
      ? generateKeyPairSync('ed25519')
      : generateKeyPairSync('rsa', { modulusLength: 2048 });
  return {
    alg,
    privateKey: pair.privateKey,
    jwk: { ...pair.publicKey.export({ format: 'jwk' }), kid: alg, use: 'sig' },
  };
}

/** A JWT signed as RFC 7518 says for `alg`: PKCS#1 v1.5 (RS*), PSS (PS*), ECDSA r||s (ES*), Ed25519. */
function signedToken({ alg, privateKey }: TestKey, claims: Record<string, unknown>): string {
  const input = Buffer.from(`${base64url({ alg, kid: alg, typ: 'JWT' })}.${base64url({ iss: ISSUER, ...claims })}`);
  const digest = alg === 'EdDSA' ? null : `sha${alg.slice(2)}`;
  const signature = alg.startsWith('PS')
    ? sign(digest, input, {
        key: privateKey,
        padding: constants.RSA_PKCS1_PSS_PADDING,
        saltLength: Number(alg.slice(2)) / 8,
      })
    : alg.startsWith('ES')
      ? sign(digest, input, { key: privateKey, dsaEncoding: 'ieee-p1363' })
      : sign(digest, input, privateKey);
  return `${input}.${signature.toString('base64url')}`;
}

/** The issuer's documents over "https": what each URL serves, and the URLs asked, in order. */
function issuerDocuments(documents: Record<string, unknown>) {
  const fetched: string[] = [];
  return {
    fetched,
    documents,
    fetch: async (uri: string): Promise<ArrayBuffer> => {
      fetched.push(uri);
      await new Promise((resolve) => setTimeout(resolve, 5));
      if (!(uri in documents)) throw new Error(`Failed to fetch ${uri}: Status code is 404, expected 200`);
      return new TextEncoder().encode(JSON.stringify(documents[uri])).buffer as ArrayBuffer;
    },
  };
}

function authorizerFor(environment: Record<string, string>, fetcher: ReturnType<typeof issuerDocuments>) {
  const logged: [string, Record<string, unknown>][] = [];
  const authorize = createScopeAuthorizer({
    authenticate: jwtAuthentication(verifierFromEnvironment(environment, fetcher)),
    acceptedScopes: ['clients:manage:all'],
    logger: { info: (message, attributes) => logged.push([message, attributes]) },
  });
  return {
    logged,
    authorize: (token: string) => authorize(bearerEvent(token)),
  };
}

const rs256 = keyFor('RS256');
const discovery = { issuer: ISSUER, jwks_uri: JWKS_URI, token_endpoint: `${ISSUER}/protocol/openid-connect/token` };
const claims = (overrides: Record<string, unknown> = {}) => adminClaims({ iss: ISSUER, ...overrides });

describe('an OIDC issuer without jwksUri', () => {
  it('reads jwks_uri from the discovery document at the first request, then verifies with those keys', async () => {
    const issuer = issuerDocuments({ [DISCOVERY_URL]: discovery, [JWKS_URI]: { keys: [rs256.jwk] } });
    const { authorize } = authorizerFor({ JWT_ISSUER: ISSUER, JWT_AUDIENCE: AUDIENCE }, issuer);

    const result = await authorize(signedToken(rs256, claims()));

    expect(result.policyDocument.Statement[0]?.Effect).toBe('Allow');
    expect(issuer.fetched).toEqual([DISCOVERY_URL, JWKS_URI]);
  });

  it('discovers once per container, even for concurrent first requests', async () => {
    const issuer = issuerDocuments({ [DISCOVERY_URL]: discovery, [JWKS_URI]: { keys: [rs256.jwk] } });
    const { authorize } = authorizerFor({ JWT_ISSUER: ISSUER, JWT_AUDIENCE: AUDIENCE }, issuer);

    const results = await Promise.all(Array.from({ length: 5 }, () => authorize(signedToken(rs256, claims()))));
    await authorize(signedToken(rs256, claims({ sub: 'later' })));

    expect(results.every((result) => result.policyDocument.Statement[0]?.Effect === 'Allow')).toBe(true);
    expect(issuer.fetched).toEqual([DISCOVERY_URL, JWKS_URI]);
  });

  it('reads the document below an issuer that ends in a slash, and expects that same issuer in it', async () => {
    const issuer = issuerDocuments({
      [DISCOVERY_URL]: { ...discovery, issuer: `${ISSUER}/` },
      [JWKS_URI]: { keys: [rs256.jwk] },
    });
    const { authorize } = authorizerFor({ JWT_ISSUER: `${ISSUER}/`, JWT_AUDIENCE: AUDIENCE }, issuer);

    const result = await authorize(signedToken(rs256, claims({ iss: `${ISSUER}/` })));

    expect(result.policyDocument.Statement[0]?.Effect).toBe('Allow');
    expect(issuer.fetched[0]).toBe(DISCOVERY_URL);
  });

  it('takes jwksUri as given, without discovery', async () => {
    const elsewhere = 'https://keys.example.com/jwks.json';
    const issuer = issuerDocuments({ [elsewhere]: { keys: [rs256.jwk] } });
    const { authorize } = authorizerFor(
      { JWT_ISSUER: ISSUER, JWT_JWKS_URI: elsewhere, JWT_AUDIENCE: AUDIENCE },
      issuer,
    );

    await authorize(signedToken(rs256, claims()));

    expect(issuer.fetched).toEqual([elsewhere]);
  });

  it.each([
    ['names another issuer', { ...discovery, issuer: 'https://evil.example.com' }, /names the issuer "https:\/\/evil/],
    [
      'names keys over plain http',
      { ...discovery, jwks_uri: 'http://idp.example.com/certs' },
      /names no https jwks_uri/,
    ],
    ['is missing', undefined, /Status code is 404/],
  ])(
    'fails with a 500, not a 401, when the discovery document %s, and tries again at the next request',
    async (_, document, reason) => {
      const issuer = issuerDocuments(document ? { [DISCOVERY_URL]: document } : {});
      const { authorize, logged } = authorizerFor({ JWT_ISSUER: ISSUER, JWT_AUDIENCE: AUDIENCE }, issuer);

      await expect(authorize(signedToken(rs256, claims()))).rejects.toBeInstanceOf(IssuerDiscoveryError);
      issuer.documents[DISCOVERY_URL] = discovery;
      issuer.documents[JWKS_URI] = { keys: [rs256.jwk] };
      const retried = await authorize(signedToken(rs256, claims()));

      expect(logged[0]).toEqual(['issuer discovery failed', { reason: expect.stringMatching(reason) }]);
      expect(retried.policyDocument.Statement[0]?.Effect).toBe('Allow');
      expect(issuer.fetched.filter((uri) => uri === DISCOVERY_URL)).toHaveLength(2);
    },
  );

  it('rejects a token for another audience, and without JWT_AUDIENCE (the waiver) accepts it', async () => {
    const documents = { [DISCOVERY_URL]: discovery, [JWKS_URI]: { keys: [rs256.jwk] } };
    const token = signedToken(rs256, claims({ aud: 'another-api' }));

    const checked = authorizerFor({ JWT_ISSUER: ISSUER, JWT_AUDIENCE: AUDIENCE }, issuerDocuments(documents));
    const waived = authorizerFor({ JWT_ISSUER: ISSUER }, issuerDocuments(documents));

    await expect(checked.authorize(token)).rejects.toThrow(/^Unauthorized$/);
    expect((await waived.authorize(token)).policyDocument.Statement[0]?.Effect).toBe('Allow');
  });
});

describe('the signature algorithms aws-jwt-verify 5 verifies', () => {
  it.each([
    ['RS256', 'Allow'],
    ['RS384', 'Allow'],
    ['RS512', 'Allow'],
    ['ES256', 'Allow'],
    ['ES384', 'Allow'],
    ['ES512', 'Allow'],
    ['EdDSA', 'Allow'],
    ['PS256', 'Unauthorized'],
    ['PS384', 'Unauthorized'],
    ['PS512', 'Unauthorized'],
  ])('%s: %s', async (alg, expected) => {
    const key = keyFor(alg);
    const issuer = issuerDocuments({ [DISCOVERY_URL]: discovery, [JWKS_URI]: { keys: [key.jwk] } });
    const { authorize, logged } = authorizerFor({ JWT_ISSUER: ISSUER, JWT_AUDIENCE: AUDIENCE }, issuer);

    const outcome = await authorize(signedToken(key, claims({ exp: nowInSeconds() + 60 }))).then(
      (result) => result.policyDocument.Statement[0]?.Effect,
      (error: Error) => error.message,
    );

    expect(outcome).toBe(expected);
    if (expected === 'Unauthorized') {
      expect(logged).toEqual([
        ['token rejected', { reason: expect.stringMatching(/JWT signature algorithm not allowed/) }],
      ]);
    }
  });
});
