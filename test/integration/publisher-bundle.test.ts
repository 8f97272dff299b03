import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { marshall } from '@aws-sdk/util-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildFunctions } from '../../bin/build.js';
import { historyEntry } from '../../lambda/domain/history-entry.js';
import { historyEntryAttributes } from '../../lambda/store/history-ring.js';
import { CLIENT_ID, storedClient } from '../support/clients.js';
import { clientItem } from '../support/items.js';

const run = promisify(execFile);

/** The publisher as deployed: its bundle in a fresh Node process, against an EventBridge stand-in. */
describe('the publisher bundle', () => {
  let outDir: string;
  let server: Server;
  let endpoint: string;
  const requests: { target: string | undefined; body: { Entries: Record<string, unknown>[] } }[] = [];

  beforeAll(async () => {
    outDir = await mkdtemp(join(tmpdir(), 'publisher-bundle-'));
    await buildFunctions(outDir, ['publish-client-changes']);
    server = createServer((request, response) => {
      let body = '';
      request.on('data', (chunk) => {
        body += chunk;
      });
      request.on('end', () => {
        requests.push({ target: request.headers['x-amz-target'] as string, body: JSON.parse(body) });
        response.writeHead(200, { 'Content-Type': 'application/x-amz-json-1.1' });
        response.end(JSON.stringify({ FailedEntryCount: 0, Entries: [{ EventId: 'event-1' }] }));
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    endpoint = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  }, 120_000);
  afterAll(async () => {
    await new Promise((resolve) => server?.close(resolve));
    await rm(outDir, { recursive: true, force: true });
  });

  it('publishes a stream record’s entry with the EventBridge client bundled inside', async () => {
    const before = storedClient();
    const entry = historyEntry({
      clientId: CLIENT_ID,
      action: 'updated',
      version: 2,
      at: new Date('2026-11-27T20:41:03.512Z'),
      actor: { sub: 'admin', client_id: null, issuer: null },
      before,
      after: { ...before, name: 'Renamed' },
    });
    const image = marshall({ ...clientItem({ ...before, name: 'Renamed' }, 2), ...historyEntryAttributes(entry, 50) });
    const event = { Records: [{ eventName: 'MODIFY', dynamodb: { NewImage: image, SequenceNumber: '1' } }] };
    const script = `
      const { handler } = await import(${JSON.stringify(join(outDir, 'publish-client-changes', 'index.mjs'))});
      const response = await handler(${JSON.stringify(event)});
      process.stdout.write('\\n' + JSON.stringify(response));
    `;

    const { stdout } = await run(process.execPath, ['--input-type=module', '-e', script], {
      env: {
        PATH: process.env.PATH,
        EVENT_BUS_NAME: 'client-changes',
        EVENT_SOURCE: 'clients-admin-api',
        AWS_ENDPOINT_URL_EVENTBRIDGE: endpoint,
        AWS_REGION: 'eu-west-1',
        AWS_ACCESS_KEY_ID: 'local',
        AWS_SECRET_ACCESS_KEY: 'local',
        AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
      },
    });

    // The function logs its summary on the console first; the response is the last line.
    expect(JSON.parse(stdout.split('\n').at(-1) as string)).toEqual({ batchItemFailures: [] });
    expect(stdout).toContain('client events published');
    expect(requests).toHaveLength(1);
    expect(requests[0]?.target).toBe('AWSEvents.PutEvents');
    const [sent] = requests[0]?.body.Entries ?? [];
    expect(sent).toMatchObject({
      EventBusName: 'client-changes',
      Source: 'clients-admin-api',
      DetailType: 'Client Changed',
    });
    expect(JSON.parse(sent?.Detail as string)).toMatchObject({ id: `${CLIENT_ID}:2`, data: { entry } });
  });

  it('stays small: the EventBridge client without DynamoDB’s', async () => {
    const bundle = await readFile(join(outDir, 'publish-client-changes', 'index.mjs'), 'utf8');

    expect(bundle).not.toContain('DynamoDBDocumentClient');
    expect(bundle.length).toBeLessThan(200 * 1024);
  });
});
