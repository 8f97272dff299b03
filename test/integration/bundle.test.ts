import { execFile } from 'node:child_process';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildFunctions } from '../../bin/build.js';
import { documentClientFor, type Engine, startDynalite } from '../../bin/local/dynamodb-engines.js';
import { DynamoDbClientStore } from '../../lambda/store/dynamodb-client-store.js';
import { SEEDED, storedClient } from '../support/clients.js';
import { LAMBDA_CONTEXT, updateEvent } from '../support/events.js';
import { newTable } from '../support/tables.js';

const run = promisify(execFile);

describe('the update-client bundle', () => {
  let outDir: string;
  let engine: Engine;

  beforeAll(async () => {
    outDir = await mkdtemp(join(tmpdir(), 'bundles-'));
    await buildFunctions(outDir);
    engine = await startDynalite();
  });
  afterAll(async () => {
    await engine?.stop();
    await rm(outDir, { recursive: true, force: true });
  });

  it('is one ESM file with its source map', async () => {
    expect(await readdir(join(outDir, 'update-client'))).toEqual(['index.mjs', 'index.mjs.map']);
  });

  it('serves an update from a fresh Node process, SDK included, against a real engine', async () => {
    const documents = documentClientFor(engine.endpoint);
    const tableName = await newTable(documents);
    await new DynamoDbClientStore(documents, tableName).putClient(storedClient(), SEEDED);
    documents.destroy();
    const script = `
      const { handler } = await import(${JSON.stringify(join(outDir, 'update-client', 'index.mjs'))});
      const response = await handler(${JSON.stringify(updateEvent({ body: { client: { name: 'From the bundle' } } }))}, ${JSON.stringify(LAMBDA_CONTEXT)});
      process.stdout.write(JSON.stringify(response));
    `;

    const { stdout } = await run(process.execPath, ['--input-type=module', '-e', script], {
      cwd: outDir,
      env: {
        PATH: process.env.PATH,
        TABLE_NAME: tableName,
        AWS_ENDPOINT_URL_DYNAMODB: engine.endpoint,
        AWS_REGION: 'us-east-1',
        AWS_ACCESS_KEY_ID: 'local',
        AWS_SECRET_ACCESS_KEY: 'local',
        POWERTOOLS_LOG_LEVEL: 'SILENT',
      },
    });

    const response = JSON.parse(stdout);
    expect(response.statusCode).toBe(200);
    expect(JSON.parse(response.body).data.name).toBe('From the bundle');
  });
});
