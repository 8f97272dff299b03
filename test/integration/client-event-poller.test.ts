import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import { PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { beforeEach, describe, expect, it } from 'vitest';
import { startClientEventPoller } from '../../bin/local/client-event-poller.js';
import { eventsFile, JsonLinesClientEventSink, printedEvents } from '../../bin/local/client-event-sinks.js';
import { type Engine, startDynalite } from '../../bin/local/dynamodb-engines.js';
import { clientChangedEvent } from '../../lambda/domain/client-changed-event.js';
import { type HistoryEntry, historyEntry } from '../../lambda/domain/history-entry.js';
import { itemKeys } from '../../lambda/store/dynamodb-client-store.js';
import { historyEntryAttributes, historyEntryUpdate, updateExpression } from '../../lambda/store/history-ring.js';
import { CLIENT_ID, SCOPE_OPENID, storedClient } from '../support/clients.js';
import { ENGINES, useEngine } from '../support/engines.js';
import { clientItem } from '../support/items.js';
import { newTable } from '../support/tables.js';

const CAPACITY = 50;
const ACTOR = { sub: 'admin', client_id: 'admin-ui', issuer: 'https://idp.example.com/' };
const startDynamoDbLocal = ENGINES.find(([name]) => name === 'DynamoDB Local')?.[1];

function entryAt(version: number, before = storedClient({ name: `v${version - 1}` })) {
  return historyEntry({
    clientId: CLIENT_ID,
    action: version === 1 ? 'created' : 'updated',
    version,
    at: new Date(Date.UTC(2026, 10, 27, 20, 41, version)),
    actor: ACTOR,
    before: version === 1 ? null : before,
    after: storedClient({ name: `v${version}` }),
  });
}

/** The line the stack's bus would hand a rule's target for this entry, less AWS's own fields. */
function expectedLine(entry: HistoryEntry) {
  const { detail } = clientChangedEvent('clients-admin-api', CLIENT_ID, entry);
  return { 'detail-type': 'Client Changed', source: 'clients-admin-api', time: entry.at, detail };
}

async function linesOf(file: string, count: number): Promise<unknown[]> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    const text = await readFile(file, 'utf8').catch(() => '');
    const lines = text.split('\n').filter(Boolean);
    if (lines.length >= count || Date.now() > deadline) return lines.map((line) => JSON.parse(line));
    await sleep(100);
  }
}

describe.runIf(startDynamoDbLocal)('the local event poller on DynamoDB Local', () => {
  const suite = useEngine(startDynamoDbLocal as () => Promise<Engine>);
  let table: string;
  let directory: string;

  beforeEach(async () => {
    table = await newTable(suite.documents);
    directory = await mkdtemp(join(tmpdir(), 'client-events-'));
    return () => rm(directory, { recursive: true, force: true });
  });

  const put = (item: Record<string, unknown>) => suite.documents.send(new PutCommand({ TableName: table, Item: item }));
  const createClient = () =>
    put({ ...clientItem(storedClient({ name: 'v1' }), 1), ...historyEntryAttributes(entryAt(1), CAPACITY) });
  /** A rename to `v<version>` that records its entry, or only bumps the version. */
  const update = (version: number, recorded = true) =>
    suite.documents.send(
      new UpdateCommand({
        TableName: table,
        Key: itemKeys.client(CLIENT_ID),
        ...updateExpression(
          {
            set: ['#name = :name', '#version = :version'],
            remove: [],
            names: { '#name': 'name', '#version': 'version' },
            values: { ':name': `v${version}`, ':version': version },
          },
          ...(recorded ? [historyEntryUpdate(entryAt(version), { capacity: CAPACITY })] : []),
        ),
      }),
    );

  it('appends each new history entry to the events file as one JSON line, and nothing for other writes', async () => {
    const file = join(directory, 'events.jsonl');
    const poller = await startClientEventPoller({
      endpoint: suite.engine.endpoint,
      tableName: table,
      sink: eventsFile(file),
      intervalMs: 50,
    });
    try {
      await createClient();
      await put({ ...itemKeys.scope(SCOPE_OPENID.id), ...SCOPE_OPENID });
      await update(2);
      await update(3, false);
      await update(4);

      expect(await linesOf(file, 3)).toEqual([entryAt(1), entryAt(2), entryAt(4)].map(expectedLine));
    } finally {
      await poller.stop();
    }
  });

  it('publishes what was written before it started, from the oldest record of the stream', async () => {
    await createClient();
    await update(2);
    const file = join(directory, 'events.jsonl');

    const poller = await startClientEventPoller({
      endpoint: suite.engine.endpoint,
      tableName: table,
      sink: eventsFile(file),
    });
    try {
      expect(await linesOf(file, 2)).toEqual([entryAt(1), entryAt(2)].map(expectedLine));
    } finally {
      await poller.stop();
    }
  });

  it('reads a batch again from the first record its sink failed to take', async () => {
    const written: string[] = [];
    let attempts = 0;
    const flaky = new JsonLinesClientEventSink(async (lines) => {
      attempts += 1;
      if (attempts === 1) throw Object.assign(new Error('disk full'), { code: 'ENOSPC' });
      written.push(lines);
    });
    const poller = await startClientEventPoller({
      endpoint: suite.engine.endpoint,
      tableName: table,
      sink: flaky,
      intervalMs: 50,
      logger: { info: () => {}, warn: () => {}, error: () => {} },
    });
    try {
      await createClient();
      const deadline = Date.now() + 30_000;
      while (written.length === 0 && Date.now() < deadline) await sleep(50);

      expect(attempts).toBeGreaterThanOrEqual(2);
      expect(
        written
          .join('')
          .split('\n')
          .filter(Boolean)
          .map((line) => JSON.parse(line)),
      ).toEqual([expectedLine(entryAt(1))]);
    } finally {
      await poller.stop();
    }
  });
});

describe('the local event poller on dynalite', () => {
  const suite = useEngine(startDynalite);

  it('refuses to start, since dynalite does not serve the streams API', async () => {
    const tableName = await newTable(suite.documents);

    await expect(
      startClientEventPoller({ endpoint: suite.engine.endpoint, tableName, sink: printedEvents(new PassThrough()) }),
    ).rejects.toThrow(`cannot read the stream of table ${tableName}: UnknownOperationException`);
  });
});

describe('the local event sinks', () => {
  it('print each event as one JSON line', async () => {
    const output = new PassThrough();
    const events = [entryAt(1), entryAt(2)].map((entry) => clientChangedEvent('clients-admin-api', CLIENT_ID, entry));

    expect(await printedEvents(output).publish(events)).toEqual({ published: 2 });

    const lines = String(output.read()).split('\n').filter(Boolean);
    expect(lines.map((line) => JSON.parse(line))).toEqual([entryAt(1), entryAt(2)].map(expectedLine));
  });

  it('report a file they cannot write, so that the batch is read again', async () => {
    const events = [clientChangedEvent('clients-admin-api', CLIENT_ID, entryAt(1))];

    expect(await eventsFile('/nonexistent-directory/events.jsonl').publish(events)).toEqual({
      published: 0,
      failure: { index: 0, reason: 'ENOENT' },
    });
  });
});
