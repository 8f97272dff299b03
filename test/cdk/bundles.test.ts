import { execFile } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ClientsApiStack } from '../../lib/clients-api-stack.js';

const run = promisify(execFile);

/** The stack's functions bundled for real, as `cdk deploy` uploads them. */
describe('the deployed bundles', () => {
  let outdir: string;
  const assetDirs: Record<string, string> = {};

  beforeAll(async () => {
    outdir = await mkdtemp(join(tmpdir(), 'cdk-out-'));
    const app = new App({ outdir, context: { 'aws:cdk:enable-asset-metadata': true } });
    const stack = new ClientsApiStack(app, 'ClientsApi', { env: { account: '123456789012', region: 'eu-west-1' } });
    app.synth();
    const functions = Template.fromStack(stack).findResources('AWS::Lambda::Function');
    for (const resource of Object.values(functions)) {
      const description: string = resource.Properties.Description;
      const name = /Verifies bearer tokens/.test(description)
        ? 'authorizer'
        : /PUT and PATCH \/api\/clients/.test(description)
          ? 'update-client'
          : /GET \/api\/key-pairs/.test(description)
            ? 'list-key-pairs'
            : undefined;
      if (name) assetDirs[name] = join(outdir, resource.Metadata['aws:asset:path']);
    }
  }, 120_000);
  afterAll(async () => {
    await rm(outdir, { recursive: true, force: true });
  });

  it.each(['authorizer', 'update-client'])('bundles %s into one ESM file with its source map', async (name) => {
    expect((await readdir(assetDirs[name] as string)).sort()).toEqual(['index.mjs', 'index.mjs.map']);
  });

  it.each([
    ['authorizer', { JWT_ISSUER: 'https://idp.example.com/' }],
    ['update-client', { TABLE_NAME: 'clients', AWS_REGION: 'eu-west-1' }],
  ])('loads %s in a fresh Node process without error', async (name, environment) => {
    const entry = join(assetDirs[name] as string, 'index.mjs');
    const script = `const m = await import(${JSON.stringify(entry)}); process.stdout.write(typeof m.handler);`;

    const { stdout } = await run(process.execPath, ['--input-type=module', '-e', script], {
      env: { PATH: process.env.PATH, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true', ...environment },
    });

    expect(stdout).toBe('function');
  });

  it('leaves the credential chain Lambda does not need out of the update function', async () => {
    const bundle = await readFile(join(assetDirs['update-client'] as string, 'index.mjs'), 'utf8');

    expect(bundle).not.toContain('AssumeRoleWithWebIdentity');
    expect(bundle.length).toBeLessThan(300 * 1024);
  });

  it('keeps the AWS SDK out of the functions that call no AWS service, and inside the update function', async () => {
    const sdkMarker = 'aws-sdk-js';
    const read = (name: string) => readFile(join(assetDirs[name] as string, 'index.mjs'), 'utf8');
    expect(await read('update-client')).toContain(sdkMarker);
    expect(await read('authorizer')).not.toContain(sdkMarker);
    expect(await read('list-key-pairs')).not.toContain(sdkMarker);
  });
});
