import { Logger } from '@aws-lambda-powertools/logger';
import { ConditionalCheckFailedException, DynamoDBServiceException } from '@aws-sdk/client-dynamodb';
import {
  BatchGetCommand,
  DeleteCommand,
  DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import { marshall } from '@aws-sdk/util-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { toClientView } from '../../lambda/domain/client-view.js';
import { handler } from '../../lambda/handlers/update-client.js';
import { createUpdateClientHandler, type UpdateClientHandlerOptions } from '../../lambda/routes/update-client.js';
import { createDocumentClient } from '../../lambda/store/document-client.js';
import { DynamoDbClientStore, itemKeys } from '../../lambda/store/dynamodb-client-store.js';
import { CLIENT_ID, OTHER_IDENTITY_PROVIDER, SCOPE_OPENID, SCOPE_PROFILE, storedClient } from '../support/clients.js';
import { ADMIN_AUTHORIZER, LAMBDA_CONTEXT, updateEvent } from '../support/events.js';
import { clientItem } from '../support/items.js';
import { routeOptions } from '../support/routes.js';
import { decodedCondition, decodedProjection, decodedUpdate, recordedEntry } from '../support/writes.js';

const PROTECTED_ID = vi.hoisted(() => {
  const id = '0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d';
  process.env.PROTECTED_CLIENT_IDS = `  ${id.toUpperCase()}, 11111111-2222-4333-8444-555555555555`;
  return id;
});

const TABLE = 'clients-test';
const dynamo = mockClient(DynamoDBDocumentClient);

/** The table holds these items: reads answer the keys asked for, puts add to them. */
function givenStored(client = storedClient(), version = 3, extraItems: Record<string, unknown>[] = []) {
  const items = new Map([clientItem(client, version), ...extraItems].map((item) => [`${item.pk} ${item.sk}`, item]));
  dynamo.on(BatchGetCommand).callsFake((input) => ({
    Responses: {
      [TABLE]: input.RequestItems[TABLE].Keys.flatMap(
        (key: Record<string, string>) => items.get(`${key.pk} ${key.sk}`) ?? [],
      ),
    },
  }));
  dynamo.on(PutCommand).callsFake((input) => {
    items.set(`${input.Item.pk} ${input.Item.sk}`, input.Item);
    return {};
  });
  return items;
}

function givenWriteSucceeds() {
  dynamo.on(UpdateCommand).callsFake((input) => {
    if (input.Key.pk !== 'CLIENT') return { Attributes: input.Key };
    const stored = storedClient();
    const patch = Object.fromEntries(
      Object.entries(input.ExpressionAttributeNames as Record<string, string>)
        .filter(([placeholder]) => placeholder.startsWith('#a'))
        .map(([placeholder, name]) => [name, input.ExpressionAttributeValues[`:${placeholder.slice(1)}`]]),
    );
    return { Attributes: clientItem({ ...stored, ...patch }, input.ExpressionAttributeValues[':next']) };
  });
}

function handlerWith(options: Partial<UpdateClientHandlerOptions>) {
  return createUpdateClientHandler({
    ...routeOptions(new DynamoDbClientStore(createDocumentClient(), TABLE)),
    ...options,
  });
}

async function send(options: Parameters<typeof updateEvent>[0] = {}) {
  const response = await handler(updateEvent(options), LAMBDA_CONTEXT);
  return { ...response, json: response.body ? JSON.parse(response.body) : undefined };
}

/** The writes to these partitions, in order; a counter's with its change and what its condition bounds. */
function writesTo(partitions: string[]): string[] {
  return dynamo
    .calls()
    .map((entry) => entry.args[0])
    .filter((command) => command instanceof PutCommand || command instanceof UpdateCommand)
    .map(
      (command) =>
        command.input as {
          Key?: { pk: string };
          Item?: { pk: string };
          ExpressionAttributeValues?: Record<string, number>;
        },
    )
    .filter((input) => partitions.includes((input.Key ?? input.Item)?.pk ?? ''))
    .map((input) => {
      const pk = (input.Key ?? input.Item)?.pk;
      const values = input.ExpressionAttributeValues ?? {};
      if (pk !== 'SCOPE_COUNT') return `${input.Key ? 'UpdateCommand' : 'PutCommand'} ${pk}`;
      return values[':slots'] !== undefined
        ? `UpdateCommand ${pk} +${values[':slots']} while count <= ${values[':room']}`
        : `UpdateCommand ${pk} ${values[':change']} while count >= ${values[':held']}`;
    });
}

const conditionalFailure = (item?: Record<string, unknown>) =>
  new ConditionalCheckFailedException({
    message: 'The conditional request failed',
    $metadata: {},
    ...(item && { Item: marshall(item, { removeUndefinedValues: true }) }),
  });

beforeEach(() => {
  dynamo.reset();
});
afterEach(() => {
  vi.useRealTimers();
});

/**
 * The nth write of the client: at which version it is conditional, what it sets, and the
 * entry it records, which must be that of the version it sets and of the client it re-planned on.
 */
function clientWrite(nth: number) {
  const input =
    dynamo
      .commandCalls(UpdateCommand)
      .map((call) => call.args[0].input)
      .filter((write) => write.Key?.pk === 'CLIENT')[nth - 1] ?? {};
  const { set } = decodedUpdate(input);
  const entry = recordedEntry(input);
  const { version, ...attributes } = Object.fromEntries(
    Object.entries(set).filter(([attribute]) => !attribute.startsWith('history_')),
  );
  return {
    condition: decodedCondition(input),
    version,
    attributes,
    entry: entry && { version: entry.version, slot: `history_${entry.version % 50}` in set, changes: entry.changes },
  };
}

/** The promise's value, which must come without a timer: with fake timers, a pause never ends. */
async function withoutTimers<T>(promise: Promise<T>): Promise<T> {
  const waiting = Symbol('waiting');
  const settled = await Promise.race([promise, new Promise((resolve) => setImmediate(() => resolve(waiting)))]);
  if (settled === waiting) throw new Error(`still waiting, on ${vi.getTimerCount()} timer(s)`);
  return settled as T;
}

describe('a valid update', () => {
  it('answers 200 with the merged client and its new version as ETag', async () => {
    givenStored();
    givenWriteSucceeds();

    const response = await send({ body: { client: { name: 'Renamed', access_token_ttl: '3600' } } });

    expect(response.statusCode).toBe(200);
    expect(response.headers).toMatchObject({ ETag: '"4"', 'Content-Type': 'application/json; charset=utf-8' });
    expect(response.json).toEqual({
      data: toClientView(storedClient({ name: 'Renamed', access_token_ttl: 3600 })),
    });
  });

  it('costs one consistent BatchGetItem and one UpdateItem conditional on the version read', async () => {
    givenStored();
    givenWriteSucceeds();

    await send({ body: { client: { name: 'Renamed', pkce: true } } });

    expect(dynamo.calls()).toHaveLength(2);
    expect(dynamo).toHaveReceivedCommandWith(BatchGetCommand, {
      RequestItems: { [TABLE]: expect.objectContaining({ Keys: [itemKeys.client(CLIENT_ID)], ConsistentRead: true }) },
    });
    expect(dynamo).toHaveReceivedCommandWith(UpdateCommand, {
      TableName: TABLE,
      Key: itemKeys.client(CLIENT_ID),
      // The written attributes come back, not the whole item with its history.
      ReturnValues: 'UPDATED_NEW',
      ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
    });
    const write = dynamo.commandCalls(UpdateCommand)[0]?.args[0].input ?? {};
    expect(decodedCondition(write)).toBe('version = 3 AND attribute_not_exists(deleted_at)');
    // The change, its version and its history entry (slot 4 of 50), in the one write.
    expect(decodedUpdate(write)).toEqual({
      set: { version: 4, name: 'Renamed', pkce: true, history_4: recordedEntry(write) },
      remove: [],
    });
    expect(recordedEntry(write)).toEqual({
      version: 4,
      at: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/),
      action: 'updated',
      actor: { sub: 'admin', client_id: 'admin-ui', issuer: 'https://issuer.example.com/' },
      request_id: 'request-1',
      source_ip: '203.0.113.7',
      changes: { name: { from: 'Demo client', to: 'Renamed' }, pkce: { from: false, to: true } },
    });
  });

  it('reads the client with its private key and the history slots past the capacity, not the ring it overwrites', async () => {
    givenStored();
    givenWriteSucceeds();

    await send({ body: { client: { name: 'Renamed' } } });

    const read = dynamo.commandCalls(BatchGetCommand)[0]?.args[0].input.RequestItems?.[TABLE] ?? {};
    const attributes = decodedProjection(read) ?? [];
    expect(attributes).toEqual(
      expect.arrayContaining([
        'pk',
        'sk',
        'version',
        'deleted_at',
        'private_key',
        'secret',
        'name',
        'public',
        'history_50',
        'history_99',
      ]),
    );
    expect(attributes.filter((attribute) => /^history_\d+$/.test(attribute))).toEqual(
      Array.from({ length: 50 }, (_, index) => `history_${50 + index}`),
    );
  });

  it('reads the referenced identity provider and scopes in the same BatchGetItem', async () => {
    givenStored(storedClient(), 3, [
      { ...itemKeys.identityProvider(OTHER_IDENTITY_PROVIDER.id), ...OTHER_IDENTITY_PROVIDER },
      { ...itemKeys.scope(SCOPE_PROFILE.id), ...SCOPE_PROFILE },
      { ...itemKeys.scopeName(SCOPE_OPENID.name), ...SCOPE_OPENID },
    ]);
    givenWriteSucceeds();

    await send({ body: { client: { identity_provider: { id: OTHER_IDENTITY_PROVIDER.id } } } });

    expect(dynamo.commandCalls(BatchGetCommand)[0]?.args[0].input).toEqual({
      RequestItems: {
        [TABLE]: expect.objectContaining({
          Keys: [itemKeys.client(CLIENT_ID), itemKeys.identityProvider(OTHER_IDENTITY_PROVIDER.id)],
          ConsistentRead: true,
        }),
      },
    });
  });

  it('links the client to the scopes and provider it is about to copy, reads them again, then writes', async () => {
    const sources = [
      { ...itemKeys.identityProvider(OTHER_IDENTITY_PROVIDER.id), ...OTHER_IDENTITY_PROVIDER },
      { ...itemKeys.scope(SCOPE_PROFILE.id), ...SCOPE_PROFILE },
      { ...itemKeys.scope(SCOPE_OPENID.id), ...SCOPE_OPENID },
      { ...itemKeys.scopeName(SCOPE_OPENID.name), ...SCOPE_OPENID },
    ];
    givenStored(storedClient({ authorized_scopes: [] }), 3, sources);
    givenWriteSucceeds();

    const response = await send({
      body: {
        client: {
          identity_provider: { id: OTHER_IDENTITY_PROVIDER.id },
          authorized_scopes: [{ id: SCOPE_PROFILE.id }, { name: 'openid' }],
        },
      },
    });

    expect(response.statusCode).toBe(200);
    expect(response.json.data.identity_provider).toEqual(OTHER_IDENTITY_PROVIDER);
    expect(response.json.data.authorized_scopes).toEqual([SCOPE_PROFILE, SCOPE_OPENID]);
    expect(dynamo.commandCalls(BatchGetCommand)[0]?.args[0].input.RequestItems?.[TABLE]?.Keys).toEqual([
      itemKeys.client(CLIENT_ID),
      itemKeys.identityProvider(OTHER_IDENTITY_PROVIDER.id),
      itemKeys.scope(SCOPE_PROFILE.id),
      itemKeys.scopeName('openid'),
    ]);
    const updates = dynamo.commandCalls(UpdateCommand).map((call) => call.args[0].input);
    expect(updates.map((input) => input.Key)).toEqual([
      itemKeys.link('scope', SCOPE_PROFILE.id, CLIENT_ID),
      itemKeys.link('scope', SCOPE_OPENID.id, CLIENT_ID),
      itemKeys.link('identity-provider', OTHER_IDENTITY_PROVIDER.id, CLIENT_ID),
      itemKeys.client(CLIENT_ID),
    ]);
    // Each link carries the version of the write it precedes, and never goes back to a lower one.
    for (const link of updates.slice(0, 3)) {
      expect(link.ExpressionAttributeValues).toMatchObject({ ':client': CLIENT_ID, ':version': 4 });
      expect(decodedCondition(link)).toMatch(/^attribute_not_exists\(pk\) OR client_version <= 4 OR linked_at < \d+$/);
    }
    // The second read, after the links: the scope the name pointed at is read with its lock.
    expect(dynamo.commandCalls(BatchGetCommand)[1]?.args[0].input.RequestItems?.[TABLE]?.Keys).toEqual([
      itemKeys.identityProvider(OTHER_IDENTITY_PROVIDER.id),
      itemKeys.scope(SCOPE_PROFILE.id),
      itemKeys.scope(SCOPE_OPENID.id),
      itemKeys.scopeName('openid'),
    ]);
    const order = dynamo.calls().map((call) => call.args[0].constructor.name);
    expect(order).toEqual([
      'BatchGetCommand',
      'UpdateCommand',
      'UpdateCommand',
      'UpdateCommand',
      'BatchGetCommand',
      'UpdateCommand',
    ]);
  });

  it('sends back the scopes and provider as stored without links or a second read: two round trips', async () => {
    const client = storedClient({ authorized_scopes: [SCOPE_OPENID] });
    givenStored(client, 3, [
      { ...itemKeys.identityProvider(client.identity_provider?.id as string), ...client.identity_provider },
      { ...itemKeys.scope(SCOPE_OPENID.id), ...SCOPE_OPENID },
    ]);
    givenWriteSucceeds();

    const response = await send({
      method: 'PATCH',
      body: { client: { ...toClientView(client), name: 'Saved from the admin UI' } },
    });

    expect(response.statusCode).toBe(200);
    expect(dynamo.calls().map((call) => call.args[0].constructor.name)).toEqual(['BatchGetCommand', 'UpdateCommand']);
    const names = dynamo.commandCalls(UpdateCommand)[0]?.args[0].input.ExpressionAttributeNames ?? {};
    expect(Object.values(names)).not.toContain('authorized_scopes');
    expect(Object.values(names)).not.toContain('identity_provider');
  });

  it('accepts PATCH with the same semantics', async () => {
    givenStored();
    givenWriteSucceeds();

    const response = await send({ method: 'PATCH', body: { client: { name: 'Patched' } } });

    expect(response.statusCode).toBe(200);
    expect(response.json.data.name).toBe('Patched');
  });

  it('writes nothing when every value sent is the stored one, and keeps the version', async () => {
    const stored = storedClient();
    givenStored(stored, 7, [{ ...itemKeys.scope(SCOPE_OPENID.id), ...SCOPE_OPENID }]);

    const response = await send({
      body: {
        client: {
          name: stored.name,
          access_token_ttl: String(stored.access_token_ttl),
          redirect_uris: stored.redirect_uris,
          authorized_scopes: [{ id: SCOPE_OPENID.id }],
        },
      },
    });
    expect(response.statusCode).toBe(200);
    expect(response.headers?.ETag).toBe('"7"');
    expect(dynamo.commandCalls(UpdateCommand)).toHaveLength(0);
  });

  it('writes only the attributes that change', async () => {
    givenStored();
    givenWriteSucceeds();

    await send({ body: { client: { name: 'Renamed', pkce: false, redirect_uris: storedClient().redirect_uris } } });

    const write = dynamo.commandCalls(UpdateCommand)[0]?.args[0].input ?? {};
    expect(decodedUpdate(write).set).toEqual({ version: 4, name: 'Renamed', history_4: recordedEntry(write) });
    expect(recordedEntry(write)?.changes).toEqual({ name: { from: 'Demo client', to: 'Renamed' } });
  });

  it('writes nothing for an empty change and answers the stored client', async () => {
    givenStored(storedClient(), 7);

    const response = await send({ body: { client: {} } });

    expect(response.statusCode).toBe(200);
    expect(response.headers?.ETag).toBe('"7"');
    expect(dynamo.commandCalls(UpdateCommand)).toHaveLength(0);
  });

  it('asks DynamoDB again for keys a BatchGetItem left unprocessed', async () => {
    dynamo
      .on(BatchGetCommand)
      .resolvesOnce({
        Responses: { [TABLE]: [] },
        UnprocessedKeys: { [TABLE]: { Keys: [itemKeys.client(CLIENT_ID)] } },
      })
      .resolves({ Responses: { [TABLE]: [clientItem(storedClient(), 3)] } });
    givenWriteSucceeds();

    expect((await send({ body: { client: { name: 'x' } } })).statusCode).toBe(200);
    expect(dynamo.commandCalls(BatchGetCommand)).toHaveLength(2);
  });
});

describe('scope creation by name', () => {
  it('claims the name with the scope to create, stores the scope, then links, reads again and writes', async () => {
    givenStored(storedClient({ authorized_scopes: [] }));
    givenWriteSucceeds();

    const response = await send({ body: { client: { authorized_scopes: [{ name: 'new:scope' }] } } });

    expect(response.statusCode).toBe(200);
    const [created] = response.json.data.authorized_scopes;
    expect(created).toEqual({ id: expect.stringMatching(/^[0-9a-f-]{36}$/), name: 'new:scope', public: false });
    const record = { ...created, label: null };
    const puts = dynamo.commandCalls(PutCommand).map((call) => call.args[0].input);
    expect(puts).toEqual([
      {
        TableName: TABLE,
        Item: { ...itemKeys.scopeName('new:scope'), id: created.id, name: 'new:scope', created: record },
        ConditionExpression: 'attribute_not_exists(#pk) OR #id = :id',
        ExpressionAttributeNames: { '#pk': 'pk', '#id': 'id' },
        ExpressionAttributeValues: { ':id': created.id },
      },
      {
        TableName: TABLE,
        Item: { ...itemKeys.scope(created.id), ...record, version: 1 },
        ConditionExpression: 'attribute_not_exists(#pk)',
        ExpressionAttributeNames: { '#pk': 'pk' },
      },
    ]);
    expect(dynamo).toHaveReceivedCommandWith(UpdateCommand, { Key: itemKeys.link('scope', created.id, CLIENT_ID) });
    // The slot is claimed before the lock: a crash in between leaves the count high, never low.
    expect(writesTo(['SCOPE_COUNT', 'SCOPE_NAME', 'SCOPE'])).toEqual([
      'UpdateCommand SCOPE_COUNT +1 while count <= 999',
      'PutCommand SCOPE_NAME',
      'PutCommand SCOPE',
    ]);
  });

  it('answers 422 on authorized_scopes past the scopes’ quota, creating no scope and leaving the client as it was', async () => {
    givenStored(storedClient({ authorized_scopes: [] }));
    dynamo.on(UpdateCommand).rejects(conditionalFailure());
    dynamo
      .on(GetCommand)
      .resolves({ Item: { pk: 'SCOPE_COUNT', sk: 'SCOPE_COUNT', count: 999, recounted_at: Date.now() } });

    const response = await send({ body: { client: { authorized_scopes: [{ name: 'a:b' }, { name: 'c:d' }] } } });

    expect(response.statusCode).toBe(422);
    expect(response.json).toEqual({
      code: 'UNPROCESSABLE_ENTITY',
      message: 'Your request could not be processed.',
      errors: { authorized_scopes: ['limit of 1000 scopes reached'] },
    });
    // Both names are claimed at once: one slot left is not enough for two.
    expect(writesTo(['SCOPE_COUNT', 'SCOPE_NAME', 'SCOPE', 'CLIENT'])).toEqual([
      'UpdateCommand SCOPE_COUNT +2 while count <= 998',
    ]);
    expect(dynamo.commandCalls(PutCommand)).toHaveLength(0);
  });

  it('takes the scope of a request that claimed the name first', async () => {
    const winner = { id: '99999999-8888-4777-8666-555555555555', name: 'new:scope', public: false };
    const winnerLock = { ...itemKeys.scopeName(winner.name), id: winner.id, name: winner.name };
    const items = givenStored(storedClient({ authorized_scopes: [] }), 3, [
      { ...itemKeys.scope(winner.id), ...winner },
    ]);
    // The other request claims the name between this one's read and its claim.
    dynamo.on(PutCommand).callsFake(() => {
      items.set(`${winnerLock.pk} ${winnerLock.sk}`, winnerLock);
      throw conditionalFailure();
    });
    dynamo
      .on(GetCommand, { Key: itemKeys.scopeName('new:scope') })
      .resolves({ Item: winnerLock })
      .on(GetCommand, { Key: itemKeys.scope(winner.id) })
      .resolves({ Item: { ...itemKeys.scope(winner.id), ...winner, version: 1 } });
    givenWriteSucceeds();

    const response = await send({ body: { client: { authorized_scopes: [{ name: 'new:scope' }] } } });

    expect(response.json.data.authorized_scopes).toEqual([winner]);
    expect(dynamo.commandCalls(PutCommand)).toHaveLength(1);
    expect(dynamo.commandCalls(DeleteCommand)).toHaveLength(0);
    // The winner counted its scope: this request gives back the slot it claimed.
    expect(writesTo(['SCOPE_COUNT'])).toEqual([
      'UpdateCommand SCOPE_COUNT +1 while count <= 999',
      'UpdateCommand SCOPE_COUNT -1 while count >= 1',
    ]);
  });

  it('creates no scope when their links would push the client past 400 KB, and answers 422', async () => {
    givenStored(storedClient({ jwt_public_key: 'k'.repeat(399 * 1024) }));
    dynamo.on(PutCommand).resolves({});
    const names = Array.from({ length: 20 }, (_, index) => ({ name: `new:${index}` }));

    const response = await send({ body: { client: { authorized_scopes: names } } });

    expect(response.statusCode).toBe(422);
    expect(response.json.errors).toEqual({
      authorized_scopes: ['would make the client larger than the 400 KB a stored item may hold'],
    });
    expect(dynamo.calls()).toHaveLength(1);
    expect(dynamo.commandCalls(BatchGetCommand)).toHaveLength(1);
  });

  it('creates no scope when the request ends in 412', async () => {
    givenStored(storedClient(), 3);

    const response = await send({
      headers: { 'If-Match': '"2"' },
      body: { client: { authorized_scopes: [{ name: 'new:scope' }] } },
    });

    expect(response.statusCode).toBe(412);
    expect(dynamo.commandCalls(PutCommand)).toHaveLength(0);
  });
});

describe('a list that drives reads, over its cap', () => {
  const UNPROCESSABLE = { code: 'UNPROCESSABLE_ENTITY', message: 'Your request could not be processed.' };
  const items = (count: number, item: (index: number) => Record<string, unknown>) =>
    Array.from({ length: count }, (_, index) => item(index));

  it.each([
    ['5,000 scope names (a body under 100 KB)', items(5000, (index) => ({ name: `s${index}` }))],
    ['101 scope ids', items(101, (index) => ({ id: `00000000-0000-4000-8000-${String(index).padStart(12, '0')}` }))],
    ['101 copies of one name (counted before duplicates merge)', items(101, () => ({ name: 'openid' }))],
  ])('answers 422 for %s with no DynamoDB call at all', async (_, scopes) => {
    givenStored();

    const response = await send({ body: { client: { name: 'x', authorized_scopes: scopes } } });

    expect(response.statusCode).toBe(422);
    expect(response.json).toEqual({
      ...UNPROCESSABLE,
      errors: { authorized_scopes: ['should have at most 100 item(s)'] },
    });
    expect(dynamo.calls()).toHaveLength(0);
  });

  it('reports the other failing fields in the same 422, still without reading', async () => {
    const response = await send({
      body: { client: { pkce: 'maybe', authorized_scopes: items(101, (index) => ({ name: `s${index}` })) } },
    });

    expect(response.json).toEqual({
      ...UNPROCESSABLE,
      errors: { pkce: ['is invalid'], authorized_scopes: ['should have at most 100 item(s)'] },
    });
    expect(dynamo.calls()).toHaveLength(0);
  });

  it('reads 100 scope names, the cap, with the client in two BatchGetItem calls of at most 100 keys', async () => {
    givenStored();
    givenWriteSucceeds();

    const response = await send({
      body: { client: { authorized_scopes: items(100, (index) => ({ name: `s${index}` })) } },
    });

    expect(response.statusCode).toBe(200);
    const batches = dynamo.commandCalls(BatchGetCommand).map((call) => call.args[0].input.RequestItems?.[TABLE]?.Keys);
    // The update's read; then, once the new scopes exist and are linked, the read of their 100
    // locks and the 100 scopes they point at (client-copies.ts), again at most 100 keys a call.
    expect(batches.map((keys) => keys?.length)).toEqual([100, 1, 100, 100]);
    expect(writesTo(['SCOPE_COUNT'])).toEqual(['UpdateCommand SCOPE_COUNT +100 while count <= 900']);
  });
});

describe('refusals that write nothing', () => {
  it('answers 404 for an unknown client', async () => {
    dynamo.on(BatchGetCommand).resolves({ Responses: { [TABLE]: [] } });

    const response = await send({ body: { client: { name: 'x' } } });

    expect(response.statusCode).toBe(404);
    expect(response.json).toEqual({
      code: 'NOT_FOUND',
      message: 'The requested resource could not be found.',
      errors: { resource: ['the requested resource could not be found.'] },
    });
    expect(dynamo.commandCalls(UpdateCommand)).toHaveLength(0);
  });

  it.each([PROTECTED_ID, PROTECTED_ID.toUpperCase()])('answers 403 for the write-protected client %s', async (id) => {
    givenStored(storedClient({ id: PROTECTED_ID }));

    const response = await send({ clientId: id, body: { client: { name: 'x' } } });

    expect(response.statusCode).toBe(403);
    expect(response.json).toEqual({
      code: 'FORBIDDEN',
      message: 'The resource is write protected.',
      errors: { resource: ['is write protected.'] },
    });
    expect(dynamo.commandCalls(UpdateCommand)).toHaveLength(0);
  });

  it('answers 404 rather than 403 for a protected id that does not exist', async () => {
    dynamo.on(BatchGetCommand).resolves({ Responses: { [TABLE]: [] } });
    expect((await send({ clientId: PROTECTED_ID })).statusCode).toBe(404);
  });

  it('answers 422 with every failing field', async () => {
    givenStored();

    const response = await send({ body: { client: { access_token_ttl: 0, redirect_uris: ['nope'] } } });

    expect(response.statusCode).toBe(422);
    expect(response.json).toEqual({
      code: 'UNPROCESSABLE_ENTITY',
      message: 'Your request could not be processed.',
      errors: { redirect_uris: ['`nope` is invalid'], access_token_ttl: ['is invalid'] },
    });
    expect(dynamo.commandCalls(UpdateCommand)).toHaveLength(0);
  });

  it('answers 422 identity_provider_id does not exist for an unknown identity provider', async () => {
    givenStored();

    const response = await send({ body: { client: { identity_provider: { id: OTHER_IDENTITY_PROVIDER.id } } } });

    expect(response.json).toEqual({
      code: 'UNPROCESSABLE_ENTITY',
      message: 'Your request could not be processed.',
      errors: { identity_provider_id: ['does not exist'] },
    });
  });

  it('answers 400 for a malformed body before looking the client up', async () => {
    const response = await send({ body: { name: 'x' } });

    expect(response.statusCode).toBe(400);
    expect(dynamo.calls()).toHaveLength(0);
  });

  it('answers 403 for a write-protected client even when the change is invalid', async () => {
    givenStored(storedClient({ id: PROTECTED_ID }));

    expect((await send({ clientId: PROTECTED_ID, body: { client: { pkce: 'maybe' } } })).statusCode).toBe(403);
  });

  it('answers 422 rather than 412 when the change is invalid and If-Match is stale', async () => {
    givenStored(storedClient(), 3);

    expect((await send({ headers: { 'If-Match': '"1"' }, body: { client: { pkce: 'maybe' } } })).statusCode).toBe(422);
  });

  it('answers 400 before reading anything for a malformed path id', async () => {
    const response = await send({ clientId: 'not-a-uuid' });

    expect(response.statusCode).toBe(400);
    expect(dynamo.calls()).toHaveLength(0);
  });
});

describe('concurrency', () => {
  it('answers 412 without writing when If-Match names another version', async () => {
    givenStored(storedClient(), 3);

    const response = await send({ headers: { 'If-Match': '"2"' }, body: { client: { name: 'x' } } });

    expect(response.statusCode).toBe(412);
    expect(response.json).toEqual({
      code: 'PRECONDITION_FAILED',
      message: 'The resource does not match the version given in If-Match.',
    });
    expect(dynamo.commandCalls(UpdateCommand)).toHaveLength(0);
  });

  it('answers 412 when another write lands between the read and the write, from the item DynamoDB returns', async () => {
    givenStored(storedClient(), 3);
    dynamo.on(UpdateCommand).rejects(conditionalFailure(clientItem(storedClient(), 4)));

    const response = await send({ headers: { 'If-Match': '"3"' }, body: { client: { name: 'x' } } });

    expect(response.statusCode).toBe(412);
    expect(dynamo.commandCalls(GetCommand)).toHaveLength(0);
  });

  it('retries at once on the item DynamoDB returns when the winner changed other fields: no read, no pause', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout'] });
    givenStored(storedClient(), 3);
    dynamo
      .on(UpdateCommand)
      .rejectsOnce(conditionalFailure(clientItem(storedClient({ pkce: true }), 4)))
      .resolves({ Attributes: clientItem(storedClient({ pkce: true, name: 'Mine' }), 5) });

    const response = await withoutTimers(send({ body: { client: { name: 'Mine' } } }));

    expect(response.statusCode).toBe(200);
    expect(response.json.data).toMatchObject({ pkce: true, name: 'Mine' });
    expect(response.headers?.ETag).toBe('"5"');
    expect(dynamo.commandCalls(BatchGetCommand)).toHaveLength(1);
    expect(dynamo.commandCalls(GetCommand)).toHaveLength(0);
    // The entry is built again on the item that won: version 5, name from the stored one.
    expect(clientWrite(2)).toEqual({
      condition: 'version = 4 AND attribute_not_exists(deleted_at)',
      version: 5,
      attributes: { name: 'Mine' },
      entry: { version: 5, slot: true, changes: { name: { from: 'Demo client', to: 'Mine' } } },
    });
  });

  it('pauses, then reads what is stored by then, when the winner changed a field this update sets', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout'] });
    givenStored(storedClient(), 3);
    dynamo.on(GetCommand).resolves({ Item: clientItem(storedClient({ name: 'Theirs', pkce: true }), 5) });
    dynamo
      .on(UpdateCommand)
      .rejectsOnce(conditionalFailure(clientItem(storedClient({ name: 'Theirs' }), 4)))
      .resolves({ Attributes: clientItem(storedClient({ pkce: true, name: 'Mine' }), 6) });

    const pending = send({ body: { client: { name: 'Mine' } } });
    await new Promise((resolve) => setImmediate(resolve));

    expect(vi.getTimerCount()).toBe(1);
    expect(dynamo.commandCalls(GetCommand)).toHaveLength(0);
    await vi.runAllTimersAsync();
    expect((await pending).statusCode).toBe(200);
    expect(dynamo.commandCalls(GetCommand)).toHaveLength(1);
    expect(clientWrite(2)).toEqual({
      condition: 'version = 5 AND attribute_not_exists(deleted_at)',
      version: 6,
      attributes: { name: 'Mine' },
      entry: { version: 6, slot: true, changes: { name: { from: 'Theirs', to: 'Mine' } } },
    });
  });

  it('reads the identity provider again before re-planning a request that sets it: a renamed copy is never written back', async () => {
    const renamed = { ...OTHER_IDENTITY_PROVIDER, name: 'Partners (renamed)' };
    const providerItem = (provider: typeof renamed) => ({ ...itemKeys.identityProvider(provider.id), ...provider });
    dynamo
      .on(BatchGetCommand)
      // The update's read, and the read after its links: the provider as it was.
      .resolvesOnce({ Responses: { [TABLE]: [clientItem(storedClient(), 3), providerItem(OTHER_IDENTITY_PROVIDER)] } })
      .resolvesOnce({ Responses: { [TABLE]: [providerItem(OTHER_IDENTITY_PROVIDER)] } })
      // Renamed meanwhile: what every later read finds.
      .resolves({ Responses: { [TABLE]: [clientItem(storedClient({ pkce: true }), 4), providerItem(renamed)] } });
    dynamo
      .on(UpdateCommand)
      .resolves({})
      .on(UpdateCommand, { Key: itemKeys.client(CLIENT_ID) })
      .rejectsOnce(conditionalFailure(clientItem(storedClient({ pkce: true }), 4)))
      .resolves({ Attributes: clientItem(storedClient({ pkce: true, identity_provider: renamed }), 5) });

    const response = await send({ body: { client: { identity_provider: { id: OTHER_IDENTITY_PROVIDER.id } } } });

    expect(response.statusCode).toBe(200);
    // Read, read after the links; after the lost race, read again, and read after the new links.
    expect(dynamo.commandCalls(BatchGetCommand)).toHaveLength(4);
    const clientWrites = dynamo
      .commandCalls(UpdateCommand)
      .map((call) => call.args[0].input)
      .filter((input) => input.Key?.pk === 'CLIENT');
    expect(clientWrites).toHaveLength(2);
    expect([clientWrite(1), clientWrite(2)]).toEqual([
      {
        condition: 'version = 3 AND attribute_not_exists(deleted_at)',
        version: 4,
        attributes: { identity_provider: OTHER_IDENTITY_PROVIDER },
        entry: {
          version: 4,
          slot: true,
          changes: { identity_provider: { from: storedClient().identity_provider, to: OTHER_IDENTITY_PROVIDER } },
        },
      },
      {
        condition: 'version = 4 AND attribute_not_exists(deleted_at)',
        version: 5,
        attributes: { identity_provider: renamed },
        entry: {
          version: 5,
          slot: true,
          changes: { identity_provider: { from: storedClient().identity_provider, to: renamed } },
        },
      },
    ]);
  });

  it('reads the client again when the engine returns no item with the failed write (dynalite)', async () => {
    givenStored(storedClient(), 3);
    dynamo.on(GetCommand).resolves({ Item: clientItem(storedClient({ pkce: true }), 4) });
    dynamo
      .on(UpdateCommand)
      .rejectsOnce(conditionalFailure())
      .resolves({
        Attributes: clientItem(storedClient({ pkce: true, name: 'Mine' }), 5),
      });

    const response = await send({ body: { client: { name: 'Mine' } } });

    expect(response.statusCode).toBe(200);
    expect(response.json.data).toMatchObject({ pkce: true, name: 'Mine' });
    expect(response.headers?.ETag).toBe('"5"');
    expect(clientWrite(2)).toMatchObject({
      condition: 'version = 4 AND attribute_not_exists(deleted_at)',
      version: 5,
      attributes: { name: 'Mine' },
      entry: { version: 5, slot: true },
    });
  });

  it('validates the change again on what is stored now', async () => {
    givenStored(storedClient(), 3);
    const nowEc = storedClient({ key_pair_type: { type: 'ec', curve: 'P-256' }, id_token_signature_alg: 'ES256' });
    dynamo.on(GetCommand).resolves({ Item: clientItem(nowEc, 4) });
    dynamo.on(UpdateCommand).rejectsOnce(conditionalFailure());

    const response = await send({ body: { client: { userinfo_signed_response_alg: 'RS256' } } });

    expect(response.statusCode).toBe(422);
    expect(response.json.errors).toEqual({ userinfo_signed_response_alg: ['is invalid'] });
  });

  it('answers 404 when the client is deleted between the read and the write', async () => {
    givenStored();
    dynamo.on(UpdateCommand).rejects(conditionalFailure());
    dynamo.on(GetCommand).resolves({});

    expect((await send({ body: { client: { name: 'x' } } })).statusCode).toBe(404);
  });

  it('answers 409 when concurrent writers win every attempt', async () => {
    const retrying = handlerWith({ maxWriteAttempts: 3, retryBaseDelayMs: 1 });
    givenStored();
    let version = 3;
    dynamo.on(GetCommand).callsFake(() => ({ Item: clientItem(storedClient(), ++version) }));
    dynamo.on(UpdateCommand).rejects(conditionalFailure());

    const response = await retrying(updateEvent({ body: { client: { name: 'x' } } }), LAMBDA_CONTEXT);

    expect(response.statusCode).toBe(409);
    expect(JSON.parse(response.body)).toEqual({
      code: 'CONFLICT',
      message: 'The resource kept changing under concurrent requests; retry the request.',
    });
    expect(dynamo.commandCalls(UpdateCommand)).toHaveLength(3);
  });
});

describe('store failures', () => {
  const unavailable = [
    [
      'throttling',
      new DynamoDBServiceException({
        name: 'ProvisionedThroughputExceededException',
        $fault: 'client',
        $metadata: {},
        message: 'Rate of requests exceeds the allowed throughput for table clients-test',
      }),
    ],
    ['a request timeout', Object.assign(new Error('Request timed out after 3000 ms'), { name: 'TimeoutError' })],
    ['a connection reset', Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' })],
    [
      'a 500 from DynamoDB',
      new DynamoDBServiceException({
        name: 'InternalServerError',
        $fault: 'server',
        $metadata: { httpStatusCode: 500 },
        message: 'Internal server error in table clients-test',
      }),
    ],
  ] as const;

  it.each(unavailable)('answers 503 with Retry-After for %s on the read', async (_, error) => {
    dynamo.on(BatchGetCommand).rejects(error);

    const response = await send({ body: { client: { name: 'x' } } });

    expect(response.statusCode).toBe(503);
    expect(response.headers).toMatchObject({ 'Retry-After': '1' });
    expect(response.json).toEqual({
      code: 'SERVICE_UNAVAILABLE',
      message: 'The service is temporarily unavailable. Retry later.',
    });
  });

  it.each(unavailable)('answers 503 for %s on the write, having written nothing', async (_, error) => {
    givenStored();
    dynamo.on(UpdateCommand).rejects(error);

    expect((await send({ body: { client: { name: 'x' } } })).statusCode).toBe(503);
  });

  it('answers a bare 500 for an unexpected error, naming nothing internal', async () => {
    dynamo.on(BatchGetCommand).rejects(
      new DynamoDBServiceException({
        name: 'ResourceNotFoundException',
        $fault: 'client',
        $metadata: { httpStatusCode: 400 },
        message: 'Requested resource not found: Table: clients-test not found',
      }),
    );

    const response = await send({ body: { client: { name: 'x' } } });

    expect(response.statusCode).toBe(500);
    expect(response.body).toBe('{"code":"INTERNAL_SERVER_ERROR","message":"An internal error occurred."}');
  });
});

describe('authorization and request checks', () => {
  const UNAUTHORIZED = {
    code: 'UNAUTHORIZED',
    message: 'You are unauthorized to access this resource.',
    errors: { resource: ['you are unauthorized to access this resource.'] },
  };

  it('answers 401 when no authorizer context reached the function', async () => {
    const response = await send({ authorizer: null });

    expect(response.statusCode).toBe(401);
    expect(response.json).toEqual(UNAUTHORIZED);
    expect(response.headers?.['WWW-Authenticate']).toBe('Bearer error="invalid_token"');
    expect(dynamo.calls()).toHaveLength(0);
  });

  it('answers 401 when the token expired since the authorizer cached its answer', async () => {
    const expired = { ...ADMIN_AUTHORIZER, exp: String(Math.floor(Date.now() / 1000) - 1) };

    const response = await send({ authorizer: expired });

    expect(response.statusCode).toBe(401);
    expect(response.json).toEqual(UNAUTHORIZED);
    expect(response.headers?.['WWW-Authenticate']).toBe('Bearer error="invalid_token"');
  });

  it.each([
    ['no exp', undefined],
    ['an empty exp', ''],
    ['a non-numeric exp', 'tomorrow'],
    ['a negative exp', '-1'],
    ['an exp in exponent notation', '1e12'],
  ])('answers 401 without reading anything when the authorizer context has %s', async (_, exp) => {
    const response = await send({ authorizer: { ...ADMIN_AUTHORIZER, exp } });

    expect(response.statusCode).toBe(401);
    expect(response.json).toEqual(UNAUTHORIZED);
    expect(response.headers?.['WWW-Authenticate']).toBe('Bearer error="invalid_token"');
    expect(dynamo.calls()).toHaveLength(0);
  });

  it.each([
    ['a string, as API Gateway passes it', String(Math.floor(Date.now() / 1000) + 60)],
    ['a number, as the authorizer returns it', Math.floor(Date.now() / 1000) + 60],
  ])('accepts a token that has not expired yet, its exp %s', async (_, exp) => {
    givenStored();
    givenWriteSucceeds();

    const response = await send({ authorizer: { ...ADMIN_AUTHORIZER, exp }, body: { client: { name: 'x' } } });

    expect(response.statusCode).toBe(200);
  });

  it('answers 401 with a bare Bearer challenge when no token was sent', async () => {
    const event = updateEvent({ authorizer: null });
    delete event.headers.Authorization;
    delete event.multiValueHeaders.Authorization;

    const response = await handler(event, LAMBDA_CONTEXT);

    expect(response.headers?.['WWW-Authenticate']).toBe('Bearer');
  });

  it.each([
    ['no scope', { scope: undefined }],
    ['another scope', { scope: 'openid profile' }],
    ['a prefix of the scope', { scope: 'clients:manage' }],
    ['a longer scope', { scope: 'clients:manage:all:extra' }],
  ])('answers 403 insufficient_scope with %s', async (_, scope) => {
    const response = await send({ authorizer: { ...ADMIN_AUTHORIZER, ...scope } });

    expect(response.statusCode).toBe(403);
    expect(response.json).toEqual({
      code: 'FORBIDDEN',
      message: 'You are forbidden to access this resource.',
      errors: { resource: ['you are forbidden to access this resource.'] },
    });
    expect(response.headers?.['WWW-Authenticate']).toBe(
      'Bearer error="insufficient_scope", scope="clients:manage:all"',
    );
  });

  it('answers 405 with Allow for another method', async () => {
    const response = await send({ method: 'POST' });

    expect(response.statusCode).toBe(405);
    expect(response.headers?.Allow).toBe('PUT, PATCH');
    expect(response.json).toEqual({
      code: 'METHOD_NOT_ALLOWED',
      message: 'The method is not allowed for this resource.',
    });
  });

  it('answers 406 to an Accept header that excludes JSON', async () => {
    const response = await send({ headers: { Accept: 'text/html' } });

    expect(response.statusCode).toBe(406);
    expect(response.json).toEqual({
      code: 'NOT_ACCEPTABLE',
      message: 'This resource is only available as application/json.',
    });
  });

  it('answers 415 to a body that is not JSON by its Content-Type', async () => {
    const response = await send({ headers: { 'Content-Type': 'text/plain' } });

    expect(response.statusCode).toBe(415);
    expect(response.json).toEqual({
      code: 'UNSUPPORTED_MEDIA_TYPE',
      message: 'The request body must be application/json in UTF-8.',
    });
  });

  it('answers 413 to a body over 100 KB', async () => {
    const response = await send({ body: { client: { name: 'a'.repeat(100 * 1024) } } });

    expect(response.statusCode).toBe(413);
    expect(response.json).toEqual({
      code: 'PAYLOAD_TOO_LARGE',
      message: 'The request body is larger than 102400 bytes.',
    });
  });

  it('answers 400 to a body without client', async () => {
    const response = await send({ body: { name: 'x' } });

    expect(response.statusCode).toBe(400);
    expect(response.json).toEqual({
      code: 'BAD_REQUEST',
      message: 'The request is malformed.',
      errors: { client: ['is required'] },
    });
  });
});

describe('logs', () => {
  let written: string[];
  beforeEach(() => {
    written = [];
    for (const stream of [process.stdout, process.stderr]) {
      vi.spyOn(stream, 'write').mockImplementation((chunk) => {
        written.push(String(chunk));
        return true;
      });
    }
  });
  afterEach(() => {
    vi.restoreAllMocks();
  });

  it('count on the request line the races an update lost before its write landed', async () => {
    const logging = handlerWith({ logger: new Logger({ serviceName: 'clients-api', logLevel: 'INFO' }) });
    givenStored(storedClient(), 3);
    dynamo
      .on(UpdateCommand)
      .rejectsOnce(conditionalFailure(clientItem(storedClient({ pkce: true }), 4)))
      .rejectsOnce(conditionalFailure(clientItem(storedClient({ pkce: true, public_revoke: true }), 5)))
      .resolves({ Attributes: clientItem(storedClient({ name: 'Mine' }), 6) });

    await logging(updateEvent({ body: { client: { name: 'Mine' } } }), LAMBDA_CONTEXT);

    const [entry] = written.map((line) => JSON.parse(line));
    expect(entry).toMatchObject({ message: 'request', status: 200, retries: 2 });
  });

  it('are JSON lines with the request id and never the secret, the private key or the token', async () => {
    const logging = handlerWith({ logger: new Logger({ serviceName: 'clients-api', logLevel: 'DEBUG' }) });
    const secret = 'a-new-secret-that-must-stay-out-of-logs';
    const withSecret = storedClient({ secret });
    const update = () =>
      logging(updateEvent({ headers: { 'If-Match': '"3"' }, body: { client: { secret } } }), LAMBDA_CONTEXT);
    givenStored();

    dynamo.on(UpdateCommand).resolves({ Attributes: clientItem(withSecret, 4) });
    await update();
    dynamo.on(UpdateCommand).rejects(conditionalFailure(clientItem(withSecret, 5)));
    await update();
    dynamo.on(UpdateCommand).rejects(
      new DynamoDBServiceException({
        name: 'ValidationException',
        $fault: 'client',
        $metadata: { httpStatusCode: 400 },
        message: 'Item size has exceeded the maximum allowed size',
      }),
    );
    await update();

    const entries = written
      .join('')
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line));
    expect(entries.map((entry) => [entry.level, entry.message, entry.status ?? entry.error?.name])).toEqual([
      ['INFO', 'request', 200],
      ['INFO', 'request', 412],
      ['ERROR', 'unexpected error', 'ValidationException'],
      ['INFO', 'request', 500],
    ]);
    for (const entry of entries) {
      expect(entry).toMatchObject({ function_request_id: 'request-1', service: 'clients-api' });
    }
    const all = written.join('');
    for (const sensitive of [secret, storedClient().secret, storedClient().private_key, 'header.payload.signature']) {
      expect(all).not.toContain(sensitive);
    }
  });
});
