import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { marshall } from '@aws-sdk/util-dynamodb';
import type { DynamoDBRecord, DynamoDBStreamEvent } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import type { Client } from '../../lambda/domain/client.js';
import { type HistoryAction, type HistoryEntry, historyEntry } from '../../lambda/domain/history-entry.js';
import { EventBridgeClientEventSink } from '../../lambda/events/eventbridge-client-event-sink.js';
import { itemKeys } from '../../lambda/store/dynamodb-client-store.js';
import { historyEntryAttributes } from '../../lambda/store/history-ring.js';
import { createPublishClientChangesHandler, publisherSettings } from '../../lambda/streams/client-changes.js';
import { CLIENT_ID, SCOPE_OPENID, storedClient } from '../support/clients.js';
import { clientItem } from '../support/items.js';

const BUS = 'clients-admin-api-client-changes';
const SOURCE = 'clients-admin-api';
const CAPACITY = 50;
const eventBridge = mockClient(EventBridgeClient);
const logs: unknown[][] = [];
const handler = createPublishClientChangesHandler({
  sink: new EventBridgeClientEventSink(new EventBridgeClient({}), BUS),
  source: SOURCE,
  logger: {
    info: (...line: unknown[]) => logs.push(['info', ...line]),
    warn: (...line: unknown[]) => logs.push(['warn', ...line]),
  },
});

beforeEach(() => {
  eventBridge.reset();
  eventBridge.on(PutEventsCommand).callsFake(({ Entries }) => ({
    FailedEntryCount: 0,
    Entries: Entries.map((_: unknown, index: number) => ({ EventId: `event-${index}` })),
  }));
  logs.length = 0;
});

function entryOf(version: number, action: HistoryAction = 'updated', before = storedClient(), after = storedClient()) {
  return historyEntry({
    clientId: before.id,
    action,
    version,
    at: new Date(Date.UTC(2026, 10, 27, 20, 41, version)),
    actor: { sub: 'admin', client_id: 'admin-ui', issuer: 'https://idp.example.com/' },
    requestId: `request-${version}`,
    sourceIp: '203.0.113.7',
    before,
    after,
  });
}

let sequence = 100;
/** A stream record as Lambda hands it over (NEW_IMAGE view). */
function record(item: Record<string, unknown>, eventName: DynamoDBRecord['eventName'] = 'MODIFY'): DynamoDBRecord {
  sequence += 1;
  return {
    eventID: `event-${sequence}`,
    eventName,
    eventVersion: '1.1',
    eventSource: 'aws:dynamodb',
    awsRegion: 'eu-west-1',
    eventSourceARN: 'arn:aws:dynamodb:eu-west-1:123456789012:table/clients/stream/2026-11-27T00:00:00.000',
    dynamodb: {
      Keys: marshall({ pk: item.pk, sk: item.sk }) as never,
      NewImage: eventName === 'REMOVE' ? undefined : (marshall(item, { removeUndefinedValues: true }) as never),
      SequenceNumber: String(sequence),
      StreamViewType: 'NEW_IMAGE',
    },
  };
}

/** The client item after a write of `entry`'s version that recorded it. */
function itemWith(entry: HistoryEntry, client: Client = storedClient(), older: HistoryEntry[] = []) {
  return Object.assign(
    clientItem(client, entry.version),
    ...older.map((previous) => historyEntryAttributes(previous, CAPACITY)),
    historyEntryAttributes(entry, CAPACITY),
  );
}

const streamEvent = (...records: DynamoDBRecord[]): DynamoDBStreamEvent => ({ Records: records });
const sequenceNumbers = (event: DynamoDBStreamEvent) => event.Records.map((item) => item.dynamodb?.SequenceNumber);
const publishedVersions = () =>
  eventBridge
    .commandCalls(PutEventsCommand)
    .flatMap((call) => call.args[0].input.Entries ?? [])
    .map((entry) => JSON.parse(entry.Detail as string).data.entry.version);

describe('the client change publisher', () => {
  it('publishes a new entry as one Client Changed event with a CloudEvents envelope', async () => {
    const entry = entryOf(7, 'updated', storedClient(), storedClient({ redirect_uris: ['https://b.example/cb'] }));

    const response = await handler(streamEvent(record(itemWith(entry))));

    expect(response).toEqual({ batchItemFailures: [] });
    expect(eventBridge).toHaveReceivedCommandTimes(PutEventsCommand, 1);
    expect(eventBridge).toHaveReceivedCommandWith(PutEventsCommand, {
      Entries: [
        {
          EventBusName: BUS,
          Source: SOURCE,
          DetailType: 'Client Changed',
          Time: new Date('2026-11-27T20:41:07.000Z'),
          Detail: JSON.stringify({
            specversion: '1.0',
            id: `${CLIENT_ID}:7`,
            source: SOURCE,
            type: 'client.changed',
            subject: CLIENT_ID,
            time: '2026-11-27T20:41:07.000Z',
            datacontenttype: 'application/json',
            data: {
              client_id: CLIENT_ID,
              entry: {
                version: 7,
                at: '2026-11-27T20:41:07.000Z',
                action: 'updated',
                actor: { sub: 'admin', client_id: 'admin-ui', issuer: 'https://idp.example.com/' },
                request_id: 'request-7',
                source_ip: '203.0.113.7',
                changes: {
                  redirect_uris: { from: ['https://app.example.com/callback'], to: ['https://b.example/cb'] },
                },
              },
            },
          }),
        },
      ],
    });
  });

  it('publishes only the entry of each write, in stream order, 10 entries a call', async () => {
    const records = Array.from({ length: 12 }, (_, index) => {
      const entry = entryOf(index + 2);
      return record(itemWith(entry, storedClient(), [entryOf(index + 1)]));
    });

    await handler(streamEvent(...records));

    const calls = eventBridge.commandCalls(PutEventsCommand);
    expect(calls.map((call) => call.args[0].input.Entries?.length)).toEqual([10, 2]);
    expect(publishedVersions()).toEqual(Array.from({ length: 12 }, (_, index) => index + 2));
  });

  it('ignores records that carry no new entry: deletions by TTL, other items, writes that added no entry', async () => {
    const scope = { ...itemKeys.scope(SCOPE_OPENID.id), ...SCOPE_OPENID };
    const withoutEntry = clientItem(storedClient(), 3);
    const staleEntry = { ...itemWith(entryOf(2)), version: 3 };

    const response = await handler(
      streamEvent(
        record(itemWith(entryOf(4)), 'REMOVE'),
        record(scope, 'INSERT'),
        record(withoutEntry),
        record(staleEntry),
      ),
    );

    expect(response).toEqual({ batchItemFailures: [] });
    expect(eventBridge.calls()).toHaveLength(0);
    expect(logs).toEqual([['info', 'client events published', { records: 4, published: 0, ignored: 4 }]]);
  });

  it('reports the first entry EventBridge refused and every record after it, for redelivery', async () => {
    eventBridge.on(PutEventsCommand).resolves({
      FailedEntryCount: 1,
      Entries: [
        { EventId: 'a' },
        { ErrorCode: 'ThrottlingException', ErrorMessage: 'Rate exceeded' },
        { EventId: 'c' },
      ],
    });
    const event = streamEvent(
      record(itemWith(entryOf(2))),
      record(itemWith(entryOf(3))),
      record(clientItem(storedClient(), 4)),
      record(itemWith(entryOf(5))),
    );

    const response = await handler(event);

    expect(response).toEqual({
      batchItemFailures: sequenceNumbers(event)
        .slice(1)
        .map((itemIdentifier) => ({ itemIdentifier })),
    });
    expect(logs).toEqual([
      [
        'warn',
        'client events not published',
        {
          records: 4,
          published: 1,
          ignored: 1,
          reason: 'ThrottlingException',
          firstFailedSequenceNumber: sequenceNumbers(event)[1],
          redelivered: 3,
        },
      ],
    ]);
  });

  it('stops at a failed call, so that no later version is published before an earlier one', async () => {
    eventBridge.on(PutEventsCommand).rejectsOnce(Object.assign(new Error('socket hang up'), { name: 'TimeoutError' }));
    const event = streamEvent(...Array.from({ length: 12 }, (_, index) => record(itemWith(entryOf(index + 2)))));

    const response = await handler(event);

    expect(eventBridge).toHaveReceivedCommandTimes(PutEventsCommand, 1);
    expect(response.batchItemFailures.map(({ itemIdentifier }) => itemIdentifier)).toEqual(sequenceNumbers(event));
  });

  it('publishes the very same events again when the stream delivers a batch again', async () => {
    const event = streamEvent(record(itemWith(entryOf(2))), record(itemWith(entryOf(3))));

    await handler(event);
    await handler(event);

    const [first, second] = eventBridge.commandCalls(PutEventsCommand).map((call) => call.args[0].input);
    expect(second).toEqual(first);
    expect(publishedVersions()).toEqual([2, 3, 2, 3]);
  });

  it('never publishes or logs the client’s secret, private key or public key', async () => {
    const before = storedClient({ secret: 'before-secret-value', public_key: 'before public key' });
    const after = storedClient({ secret: 'after-secret-value', public_key: 'after public key' });
    const entry = entryOf(9, 'key_pair_regenerated', before, after);

    await handler(streamEvent(record(itemWith(entry, after))));

    const published = JSON.stringify([eventBridge.calls().map((call) => call.args), logs]);
    for (const value of ['before-secret-value', 'after-secret-value', after.private_key, 'before public key']) {
      expect(published).not.toContain(value);
    }
    expect(published).toContain('from_fingerprint');
  });

  it('skips a record it cannot decode, says so, and publishes the others', async () => {
    const unreadable = record(itemWith(entryOf(3)));
    const image = unreadable.dynamodb?.NewImage as Record<string, { N?: string }>;
    // A number neither a JavaScript number nor a BigInt holds: the SDK refuses to decode it.
    image.version = { N: '1e40' };

    const response = await handler(streamEvent(unreadable, record(itemWith(entryOf(4)))));

    expect(response).toEqual({ batchItemFailures: [] });
    expect(publishedVersions()).toEqual([4]);
    expect(logs[0]).toEqual([
      'warn',
      'stream record skipped',
      { sequenceNumber: unreadable.dynamodb?.SequenceNumber, reason: 'Error' },
    ]);
  });
});

describe('the publisher’s settings', () => {
  it('reads the bus and the source from the environment', () => {
    expect(publisherSettings({ EVENT_BUS_NAME: BUS, EVENT_SOURCE: SOURCE })).toEqual({ busName: BUS, source: SOURCE });
  });

  it.each([
    [{ EVENT_SOURCE: SOURCE }, 'EVENT_BUS_NAME is not set'],
    [{ EVENT_BUS_NAME: BUS }, 'EVENT_SOURCE is not set'],
  ])('refuses to start without %j', (environment, message) => {
    expect(() => publisherSettings(environment)).toThrow(message);
  });
});
