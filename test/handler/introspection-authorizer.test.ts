import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { createDevIntrospectionEndpoint, DEV_INTROSPECTION_PATH } from '../../bin/local/dev-introspection.js';
import {
  DEV_TOKEN_CLIENT_ID,
  type DevIssuer,
  loadDevIssuer,
  mintOpaqueToken,
  mintToken,
} from '../../bin/local/dev-issuer.js';
import { introspectionFromEnvironment } from '../../lambda/auth/introspection-secret.js';
import { createScopeAuthorizer } from '../../lambda/auth/scope-authorizer.js';
import { apiScopes, scopeSettings } from '../../lambda/http/route-scopes.js';
import { bearerEvent } from '../support/tokens.js';

const METHOD_ARN = 'arn:aws:execute-api:eu-west-1:123456789012:abc123/v1/POST/api/scopes';
const SECRET_ID = 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:clients-api/introspection-AbCdEf';
const CLIENT_ID = 'clients-api-authorizer';

const secrets = mockClient(SecretsManagerClient);
let issuer: DevIssuer;
let keyDir: string;
let server: Server;
let endpoint: string;
/** The secret the introspection endpoint accepts: a rotation changes it. */
let acceptedSecret = 'first-secret';

beforeAll(async () => {
  keyDir = await mkdtemp(join(tmpdir(), 'dev-issuer-'));
  issuer = await loadDevIssuer(join(keyDir, 'key.json'));
  server = createServer((request, response) =>
    createDevIntrospectionEndpoint({ issuer, clientId: CLIENT_ID, clientSecret: acceptedSecret })(request, response),
  );
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  endpoint = `http://127.0.0.1:${(server.address() as { port: number }).port}${DEV_INTROSPECTION_PATH}`;
});
afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
  await rm(keyDir, { recursive: true, force: true });
});
beforeEach(() => {
  secrets.reset();
  acceptedSecret = 'first-secret';
});

/** The introspection authorizer as its Lambda handler builds it, from this environment. */
function handlerFor(environment: Record<string, string> = {}) {
  const logger = { info: vi.fn() };
  const env = {
    INTROSPECTION_URL: endpoint,
    INTROSPECTION_CLIENT_ID: CLIENT_ID,
    INTROSPECTION_SECRET_ID: SECRET_ID,
    INTROSPECTION_TOKEN_CLIENT_IDS: DEV_TOKEN_CLIENT_ID,
    REQUIRED_SCOPE: 'clients:manage:all',
    ...environment,
  };
  const authorize = createScopeAuthorizer({
    authenticate: introspectionFromEnvironment(env, new SecretsManagerClient({ region: 'eu-west-1' })),
    acceptedScopes: apiScopes(scopeSettings(env)),
    logger,
  });
  return {
    logger,
    authorize: (token: string) => authorize(bearerEvent(token, METHOD_ARN)),
  };
}

const effectOf = async (result: Promise<{ policyDocument: { Statement: { Effect: string }[] } }>) =>
  (await result).policyDocument.Statement[0]?.Effect;

describe('the introspection authorizer (opaque tokens)', () => {
  it('reads the client secret once per container and allows an active token with the scopes', async () => {
    secrets.on(GetSecretValueCommand).resolves({ SecretString: 'first-secret' });
    const { authorize } = handlerFor();

    expect(await effectOf(authorize(mintOpaqueToken(issuer, { scope: 'scopes:manage:all' })))).toBe('Allow');
    expect(await effectOf(authorize(mintOpaqueToken(issuer)))).toBe('Allow');

    expect(secrets).toHaveReceivedCommandTimes(GetSecretValueCommand, 1);
    expect(secrets).toHaveReceivedCommandWith(GetSecretValueCommand, { SecretId: SECRET_ID });
  });

  it('passes the claims the endpoint answered to the functions', async () => {
    secrets.on(GetSecretValueCommand).resolves({ SecretString: JSON.stringify({ client_secret: 'first-secret' }) });
    const token = mintOpaqueToken(issuer, { sub: 'ops@example.com', scope: 'clients:manage:all', expiresIn: 600 });

    const result = await handlerFor().authorize(token);

    expect(result.context).toEqual({
      sub: 'ops@example.com',
      scope: 'clients:manage:all',
      exp: expect.any(Number),
      client_id: 'local-cli',
      iss: 'http://localhost/dev-issuer',
    });
  });

  it('sends the secret in the form with INTROSPECTION_AUTH_METHOD=client_secret_post', async () => {
    secrets.on(GetSecretValueCommand).resolves({ SecretString: 'first-secret' });

    const { authorize } = handlerFor({ INTROSPECTION_AUTH_METHOD: 'client_secret_post' });

    expect(await effectOf(authorize(mintOpaqueToken(issuer)))).toBe('Allow');
  });

  it.each([
    ['an expired opaque token', () => mintOpaqueToken(issuer, { expiresIn: -5 })],
    ['a token the endpoint never issued', () => 'b'.repeat(86)],
    ['a JWT, which this authorizer does not verify', () => mintToken(issuer)],
  ])('rejects (401) %s', async (_, token) => {
    secrets.on(GetSecretValueCommand).resolves({ SecretString: 'first-secret' });

    await expect(handlerFor().authorize(token())).rejects.toThrow(/^Unauthorized$/);
  });

  it.each([
    [
      'INTROSPECTION_TOKEN_CLIENT_IDS names other clients',
      { INTROSPECTION_TOKEN_CLIENT_IDS: 'boruta-admin-ui, ops-cli' },
    ],
    ['INTROSPECTION_AUDIENCE names an audience the token lacks', { INTROSPECTION_AUDIENCE: 'clients-api' }],
  ])('rejects (401) an active token with the scopes when %s', async (_, environment) => {
    secrets.on(GetSecretValueCommand).resolves({ SecretString: 'first-secret' });
    const { authorize, logger } = handlerFor(environment);

    await expect(authorize(mintOpaqueToken(issuer))).rejects.toThrow(/^Unauthorized$/);
    expect(logger.info).toHaveBeenCalledWith('token rejected', {
      reason: expect.stringMatching(/^token (client_id|aud) is not one of the accepted/),
    });
  });

  it('accepts the tokens of any client of the server without either list (the stack’s acceptAnyAudience)', async () => {
    secrets.on(GetSecretValueCommand).resolves({ SecretString: 'first-secret' });

    const { authorize } = handlerFor({ INTROSPECTION_TOKEN_CLIENT_IDS: '', INTROSPECTION_AUDIENCE: '' });

    expect(await effectOf(authorize(mintOpaqueToken(issuer)))).toBe('Allow');
  });

  it('rejects (401) while the secret cannot be read, and reads it again at the next request', async () => {
    secrets
      .on(GetSecretValueCommand)
      .rejectsOnce(Object.assign(new Error('throttled'), { name: 'ThrottlingException' }))
      .resolves({ SecretString: 'first-secret' });
    const { authorize, logger } = handlerFor();

    await expect(authorize(mintOpaqueToken(issuer))).rejects.toThrow(/^Unauthorized$/);
    expect(logger.info).toHaveBeenCalledWith('token rejected', {
      reason: 'the client secret could not be read: ThrottlingException',
    });
    expect(await effectOf(authorize(mintOpaqueToken(issuer)))).toBe('Allow');
    expect(secrets).toHaveReceivedCommandTimes(GetSecretValueCommand, 2);
  });

  it('reads a rotated secret again once the endpoint refuses the one it kept', async () => {
    secrets
      .on(GetSecretValueCommand)
      .resolvesOnce({ SecretString: 'first-secret' })
      .resolves({ SecretString: 'second-secret' });
    const { authorize } = handlerFor();
    expect(await effectOf(authorize(mintOpaqueToken(issuer)))).toBe('Allow');

    acceptedSecret = 'second-secret';
    await expect(authorize(mintOpaqueToken(issuer))).rejects.toThrow(/^Unauthorized$/);
    expect(await effectOf(authorize(mintOpaqueToken(issuer)))).toBe('Allow');

    expect(secrets).toHaveReceivedCommandTimes(GetSecretValueCommand, 2);
  });

  it.each([
    [{ INTROSPECTION_URL: '' }, 'Set INTROSPECTION_URL, INTROSPECTION_CLIENT_ID and INTROSPECTION_SECRET_ID'],
    [{ INTROSPECTION_SECRET_ID: '' }, 'Set INTROSPECTION_URL, INTROSPECTION_CLIENT_ID and INTROSPECTION_SECRET_ID'],
    [
      { INTROSPECTION_AUTH_METHOD: 'none' },
      'INTROSPECTION_AUTH_METHOD must be one of client_secret_basic, client_secret_post',
    ],
  ])('refuses to start with %o', (environment, message) => {
    expect(() => handlerFor(environment)).toThrow(new Error(message));
  });
});
