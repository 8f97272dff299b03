import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { GetCommand, PutCommand, UpdateCommand, type UpdateCommandInput } from '@aws-sdk/lib-dynamodb';
import { beforeEach, describe, expect, it } from 'vitest';
import type { Client } from '../../lambda/domain/client.js';
import { type HistoryAction, type HistoryEntry, historyEntry } from '../../lambda/domain/history-entry.js';
import { itemKeys } from '../../lambda/store/dynamodb-client-store.js';
import {
  creatableCondition,
  historyEntryAttributes,
  historyEntryUpdate,
  historyOf,
  leftoverSlots,
  tombstoneUpdate,
  type UpdateFragment,
  updateExpression,
} from '../../lambda/store/history-ring.js';
import { CLIENT_ID, storedClient } from '../support/clients.js';
import { ENGINES, useEngine } from '../support/engines.js';
import { clientItem } from '../support/items.js';
import { newTable } from '../support/tables.js';

type Item = Record<string, unknown>;
const KEY = itemKeys.client(CLIENT_ID);
const ACTOR = { sub: 'admin', client_id: 'admin-ui', issuer: 'https://idp.example.com/' };
const DAY_MS = 86_400_000;

function entry(action: HistoryAction, version: number, before: Client | null, after: Client | null, at = new Date()) {
  return historyEntry({ clientId: CLIENT_ID, action, version, at, actor: ACTOR, before, after });
}

/** The history helpers against a real table: what the write paths will send, on each engine. */
describe.each(ENGINES)('the history ring on %s', (_, startEngine) => {
  const suite = useEngine(startEngine);
  let table: string;

  beforeEach(async () => {
    table = await newTable(suite.documents);
  });

  const read = async (): Promise<Item | undefined> =>
    (await suite.documents.send(new GetCommand({ TableName: table, Key: KEY, ConsistentRead: true }))).Item;
  const update = (expression: Omit<UpdateCommandInput, 'TableName' | 'Key'>) =>
    suite.documents.send(new UpdateCommand({ TableName: table, Key: KEY, ...expression }));

  async function create(client: Client, capacity: number, condition = creatableCondition(new Date())) {
    const created = entry('created', 1, null, client);
    await suite.documents.send(
      new PutCommand({
        TableName: table,
        Item: { ...clientItem(client, 1), ...historyEntryAttributes(created, capacity) },
        ...condition,
      }),
    );
  }

  /** A write as the store will send it: the change, the version bump and the entry, on one condition. */
  async function write(
    stored: Item,
    change: UpdateFragment,
    recorded: HistoryEntry,
    capacity: number,
    expected = stored.version as number,
  ) {
    await update({
      ...updateExpression(
        {
          set: ['#version = :next'],
          remove: [],
          names: { '#version': 'version' },
          values: { ':next': expected + 1, ':expected': expected },
        },
        change,
        historyEntryUpdate(recorded, { capacity, leftoverSlots: leftoverSlots(stored, capacity) }),
      ),
      ConditionExpression: '#version = :expected',
    });
  }

  async function rename(capacity: number, name: string, expected?: number) {
    const stored = (await read()) as Item;
    const before = stored as unknown as Client;
    const version = (expected ?? (stored.version as number)) + 1;
    await write(
      stored,
      { set: ['#name = :name'], remove: [], names: { '#name': 'name' }, values: { ':name': name } },
      entry('updated', version, before, { ...before, name }),
      capacity,
      expected,
    );
  }

  it.each([
    [
      'a nested SET into a history map the item does not have yet',
      {
        UpdateExpression: 'SET #history.#slot = :entry',
        ExpressionAttributeNames: { '#history': 'history', '#slot': '2' },
        ExpressionAttributeValues: { ':entry': { version: 2 } },
      },
      'The document path provided in the update expression is invalid for update',
    ],
    [
      'a list kept short by list_append and REMOVE of its oldest element, as overlapping paths',
      {
        UpdateExpression: 'SET #history = list_append(if_not_exists(#history, :empty), :entry) REMOVE #history[0]',
        ExpressionAttributeNames: { '#history': 'history' },
        ExpressionAttributeValues: { ':entry': [{ version: 2 }], ':empty': [] },
      },
      'Two document paths overlap',
    ],
  ])('refuses %s', async (_layout, expression, message) => {
    await create(storedClient(), 5);

    await expect(update(expression)).rejects.toThrow(message);
  });

  it('keeps exactly the last N entries, newest first, each written with its change', async () => {
    await create(storedClient(), 3);
    for (let index = 1; index <= 6; index += 1) await rename(3, `Name ${index}`);

    const item = (await read()) as Item;

    expect(item.version).toBe(7);
    expect(item.name).toBe('Name 6');
    expect(
      Object.keys(item)
        .filter((attribute) => attribute.startsWith('history_'))
        .sort(),
    ).toEqual(['history_0', 'history_1', 'history_2']);
    expect(historyOf(item, 3).map(({ version, changes }) => [version, changes.name])).toEqual([
      [7, { from: 'Name 5', to: 'Name 6' }],
      [6, { from: 'Name 4', to: 'Name 5' }],
      [5, { from: 'Name 3', to: 'Name 4' }],
    ]);
  });

  it('adds the first entry to an item written before the history existed', async () => {
    await suite.documents.send(new PutCommand({ TableName: table, Item: clientItem(storedClient(), 4) }));

    await rename(50, 'Renamed');

    expect(historyOf((await read()) as Item, 50).map(({ version, action }) => [version, action])).toEqual([
      [5, 'updated'],
    ]);
  });

  it('writes neither the change nor its entry when the version condition fails', async () => {
    await create(storedClient(), 5);
    await rename(5, 'First');
    const before = await read();

    await expect(rename(5, 'Lost race', 1)).rejects.toBeInstanceOf(ConditionalCheckFailedException);

    expect(await read()).toEqual(before);
  });

  it('drops the slots past a lowered capacity once the writes that follow leave their entries out of the window', async () => {
    await create(storedClient(), 5);
    for (let index = 1; index <= 4; index += 1) await rename(5, `Name ${index}`);
    const slots = (item: Item) =>
      Object.keys(item)
        .filter((attribute) => attribute.startsWith('history_'))
        .sort();

    // Version 6 in slot 0 (where version 5 was); version 4, still among the last 3, stays in slot 4.
    await rename(3, 'Name 5');
    const lowered = (await read()) as Item;
    await rename(3, 'Name 6');
    const after = (await read()) as Item;

    expect(slots(lowered)).toEqual(['history_0', 'history_1', 'history_2', 'history_4']);
    expect(historyOf(lowered, 3).map(({ version }) => version)).toEqual([6, 4]);
    expect(slots(after)).toEqual(['history_0', 'history_1', 'history_2']);
    expect(historyOf(after, 3).map(({ version }) => version)).toEqual([7, 6]);
  });

  it('keeps a deleted client’s history in a tombstone without its secrets, and its id creatable only after the retention', async () => {
    const client = storedClient();
    await create(client, 5);
    await rename(5, 'Before delete');
    const stored = (await read()) as Item;
    const deletedAt = new Date();

    await write(
      stored,
      tombstoneUpdate({ stored, deletedAt, retentionDays: 30 }),
      entry('deleted', 3, stored as unknown as Client, null, deletedAt),
      5,
    );
    const tombstone = (await read()) as Item;

    expect(Object.keys(tombstone).sort()).toEqual(
      ['deleted_at', 'expires_at', 'history_1', 'history_2', 'history_3', 'pk', 'sk', 'version'].sort(),
    );
    expect(tombstone).toMatchObject({
      deleted_at: deletedAt.toISOString(),
      expires_at: Math.floor(deletedAt.getTime() / 1000) + 30 * 86_400,
    });
    expect(JSON.stringify(tombstone)).not.toContain(client.private_key);
    expect(JSON.stringify(tombstone)).not.toContain(client.secret);
    expect(historyOf(tombstone, 5).map(({ action }) => action)).toEqual(['deleted', 'updated', 'created']);

    const recreated = storedClient({ name: 'Second life' });
    await expect(create(recreated, 5, creatableCondition(new Date(deletedAt.getTime() + 29 * DAY_MS)))).rejects.toThrow(
      ConditionalCheckFailedException,
    );
    await create(recreated, 5, creatableCondition(new Date(deletedAt.getTime() + 31 * DAY_MS)));
    const item = (await read()) as Item;
    expect(item).toMatchObject({ version: 1, name: 'Second life' });
    expect(historyOf(item, 5).map(({ version, action }) => [version, action])).toEqual([[1, 'created']]);
  });

  it('refuses to create over a live client', async () => {
    await create(storedClient(), 5);

    await expect(create(storedClient({ name: 'Twin' }), 5)).rejects.toThrow(ConditionalCheckFailedException);
  });
});
