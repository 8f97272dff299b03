import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildFunctions } from '../../bin/build.js';
import { createDevIntrospectionEndpoint, DEV_INTROSPECTION_PATH } from '../../bin/local/dev-introspection.js';
import { DEV_TOKEN_CLIENT_ID, type DevIssuer, loadDevIssuer, mintOpaqueToken } from '../../bin/local/dev-issuer.js';

const run = promisify(execFile);
const SECRET_ID = 'clients-api/introspection';
const CLIENT_ID = 'clients-api-authorizer';
const CLIENT_SECRET = 'bundle-test-secret';
const SDK_MARKER = 'aws-sdk-js';

async function listen(server: Server): Promise<string> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as { port: number }).port}`;
}

/**
 * The introspection authorizer as Lambda runs it: its bundle in a fresh Node process, reading its
 * secret over Secrets Manager's JSON protocol (a local endpoint answering GetSecretValue, as
 * AWS_ENDPOINT_URL_SECRETS_MANAGER lets the SDK use) and asking the dev introspection endpoint.
 */
describe('the authorizer bundles', () => {
  let outDir: string;
  let keyDir: string;
  let issuer: DevIssuer;
  const servers: Server[] = [];
  const secretRequests: { target?: string; body: string }[] = [];
  let environment: Record<string, string>;

  beforeAll(async () => {
    outDir = await mkdtemp(join(tmpdir(), 'authorizer-bundles-'));
    keyDir = await mkdtemp(join(tmpdir(), 'dev-issuer-'));
    [, issuer] = await Promise.all([
      buildFunctions(outDir, ['authorizer', 'introspection-authorizer']),
      loadDevIssuer(join(keyDir, 'key.json')),
    ]);
    const introspection = createServer(
      createDevIntrospectionEndpoint({ issuer, clientId: CLIENT_ID, clientSecret: CLIENT_SECRET }),
    );
    const secretsManager = createServer(async (request, response) => {
      const chunks: Buffer[] = [];
      for await (const chunk of request) chunks.push(chunk as Buffer);
      secretRequests.push({
        target: request.headers['x-amz-target'] as string,
        body: Buffer.concat(chunks).toString(),
      });
      response.writeHead(200, { 'Content-Type': 'application/x-amz-json-1.1' });
      response.end(JSON.stringify({ Name: SECRET_ID, SecretString: JSON.stringify({ client_secret: CLIENT_SECRET }) }));
    });
    servers.push(introspection, secretsManager);
    const [introspectionUrl, secretsManagerUrl] = await Promise.all([listen(introspection), listen(secretsManager)]);
    environment = {
      PATH: process.env.PATH ?? '',
      INTROSPECTION_URL: `${introspectionUrl}${DEV_INTROSPECTION_PATH}`,
      INTROSPECTION_CLIENT_ID: CLIENT_ID,
      INTROSPECTION_SECRET_ID: SECRET_ID,
      INTROSPECTION_TOKEN_CLIENT_IDS: DEV_TOKEN_CLIENT_ID,
      AWS_ENDPOINT_URL_SECRETS_MANAGER: secretsManagerUrl,
      AWS_REGION: 'eu-west-1',
      AWS_ACCESS_KEY_ID: 'local',
      AWS_SECRET_ACCESS_KEY: 'local',
      AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
    };
  }, 120_000);
  afterAll(async () => {
    await Promise.all(servers.map((server) => new Promise((resolve) => server.close(resolve))));
    await rm(outDir, { recursive: true, force: true });
    await rm(keyDir, { recursive: true, force: true });
  });

  const bundle = (name: string) => readFile(join(outDir, name, 'index.mjs'), 'utf8');

  it('keeps the AWS SDK out of the JWT authorizer, and puts the Secrets Manager client in the introspection one', async () => {
    expect(await bundle('authorizer')).not.toContain(SDK_MARKER);
    const introspection = await bundle('introspection-authorizer');
    expect(introspection).toContain(SDK_MARKER);
    expect(introspection).not.toContain('DynamoDB');
  });

  it('allows an active opaque token and rejects an unknown one, from a fresh Node process', async () => {
    const event = (token: string) => ({
      type: 'TOKEN',
      authorizationToken: `Bearer ${token}`,
      methodArn: 'arn:aws:execute-api:eu-west-1:1:api/v1/GET/api/clients',
    });
    const script = `
      const { handler } = await import(${JSON.stringify(join(outDir, 'introspection-authorizer', 'index.mjs'))});
      const allowed = await handler(${JSON.stringify(event(mintOpaqueToken(issuer)))});
      const refused = await handler(${JSON.stringify(event('d'.repeat(86)))}).then(() => 'allowed', (error) => error.message);
      process.stdout.write('\\n' + JSON.stringify({ effect: allowed.policyDocument.Statement[0].Effect, refused }));
    `;

    const { stdout } = await run(process.execPath, ['--input-type=module', '-e', script], {
      cwd: outDir,
      env: environment,
    });

    // The authorizer logs its refusal through the console before the result's line.
    expect(JSON.parse(stdout.split('\n').at(-1) as string)).toEqual({ effect: 'Allow', refused: 'Unauthorized' });
    // One read of the secret for both requests: the container keeps it.
    expect(secretRequests).toEqual([
      { target: 'secretsmanager.GetSecretValue', body: JSON.stringify({ SecretId: SECRET_ID }) },
    ]);
  });
});
