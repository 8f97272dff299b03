import { generateKeyPairSync } from 'node:crypto';
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import {
  DeleteCommand,
  DynamoDBDocumentClient,
  GetCommand,
  QueryCommand,
  UpdateCommand,
  type UpdateCommandInput,
} from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import type { Client } from '../../lambda/domain/client.js';
import { CLIENT_VIEW_KEYS, toClientView } from '../../lambda/domain/client-view.js';
import { didKeyFromPublicKey } from '../../lambda/domain/did-key.js';
import { valueFingerprint } from '../../lambda/domain/history-entry.js';
import { LIST_BUDGET_BYTES } from '../../lambda/domain/resource-limits.js';
import {
  createCreateClientHandler,
  createDeleteClientHandler,
  createGetClientHandler,
  createListClientsHandler,
  createRegenerateDidHandler,
  createRegenerateKeyPairHandler,
} from '../../lambda/routes/client-routes.js';
import { createUpdateClientHandler } from '../../lambda/routes/update-client.js';
import { createDocumentClient } from '../../lambda/store/document-client.js';
import { DynamoDbClientStore, itemKeys } from '../../lambda/store/dynamodb-client-store.js';
import { CLIENT_ID, IDENTITY_PROVIDER, SCOPE_OPENID, storedClient } from '../support/clients.js';
import { apiEvent, LAMBDA_CONTEXT } from '../support/events.js';
import { clientItem } from '../support/items.js';
import { routeOptions } from '../support/routes.js';
import { decodedCondition, decodedUpdate, recordedEntry } from '../support/writes.js';

const TABLE = 'clients-test';
const dynamo = mockClient(DynamoDBDocumentClient);
const options = routeOptions(new DynamoDbClientStore(createDocumentClient(), TABLE));

beforeEach(() => {
  dynamo.reset();
});

/** Every attribute an answer shows, and the version: the private key is not among them. */
const ANSWERED_ATTRIBUTES = [...CLIENT_VIEW_KEYS, 'version'].sort();
/** What a read of one client asks for: what it answers, and the marks of a deleted client, never its history. */
const SHOWN_ATTRIBUTES = [...ANSWERED_ATTRIBUTES, 'deleted_at', 'expires_at'].sort();
const TOMBSTONE = {
  ...itemKeys.client(CLIENT_ID),
  version: 5,
  deleted_at: '2026-11-27T20:41:03.512Z',
  expires_at: Math.floor(Date.now() / 1000) + 86_400,
};
const ED25519_PUBLIC_KEY = generateKeyPairSync('ed25519').publicKey.export({ type: 'spki', format: 'pem' }) as string;
const ED25519_DID = didKeyFromPublicKey(ED25519_PUBLIC_KEY);

/** The first UpdateItem sent. */
function firstUpdate(): UpdateCommandInput {
  const input = dynamo.commandCalls(UpdateCommand)[0]?.args[0].input;
  if (!input) throw new Error('no UpdateItem sent');
  return input;
}

/** The attribute names a request's ProjectionExpression asks for. */
function projectedAttributes(
  input: { ProjectionExpression?: string; ExpressionAttributeNames?: Record<string, string> } | undefined,
) {
  return (input?.ProjectionExpression ?? '')
    .split(',')
    .map((name) => input?.ExpressionAttributeNames?.[name.trim()] ?? name.trim())
    .sort();
}

describe('the read routes', () => {
  it('list clients with one consistent Query of the client partition, never a Scan', async () => {
    dynamo.on(QueryCommand).resolves({ Items: [clientItem(storedClient(), 2)] });

    const response = await createListClientsHandler(options)(
      apiEvent({ method: 'GET', collection: true, query: { limit: '5' } }),
      LAMBDA_CONTEXT,
    );

    expect(response.statusCode).toBe(200);
    expect(JSON.parse(response.body)).toMatchObject({ data: [{ id: CLIENT_ID }], next_cursor: null });
    expect(dynamo.calls()).toHaveLength(1);
    expect(dynamo).toHaveReceivedCommandWith(QueryCommand, {
      TableName: TABLE,
      KeyConditionExpression: '#pk = :kind',
      ExpressionAttributeNames: expect.objectContaining({ '#pk': 'pk' }),
      ExpressionAttributeValues: { ':kind': 'CLIENT' },
      ConsistentRead: true,
      Limit: 5,
    });
    expect(projectedAttributes(dynamo.commandCalls(QueryCommand)[0]?.args[0].input)).toEqual(ANSWERED_ATTRIBUTES);
  });

  it('show a client with one consistent GetItem that leaves the private key unread', async () => {
    dynamo.on(GetCommand).resolves({ Item: clientItem(storedClient(), 4) });

    const response = await createGetClientHandler(options)(apiEvent({ method: 'GET' }), LAMBDA_CONTEXT);

    expect(response.headers?.ETag).toBe('"4"');
    expect(dynamo.calls()).toHaveLength(1);
    expect(dynamo).toHaveReceivedCommandWith(GetCommand, {
      TableName: TABLE,
      Key: itemKeys.client(CLIENT_ID),
      ConsistentRead: true,
    });
    expect(projectedAttributes(dynamo.commandCalls(GetCommand)[0]?.args[0].input)).toEqual(SHOWN_ATTRIBUTES);
  });

  it('answer 404 for a deleted client, whose item is its tombstone', async () => {
    dynamo.on(GetCommand).resolves({ Item: TOMBSTONE });

    const response = await createGetClientHandler(options)(apiEvent({ method: 'GET' }), LAMBDA_CONTEXT);

    expect(response.statusCode).toBe(404);
  });

  it('list clients leaving deleted ones out by a filter, on the same Query', async () => {
    dynamo.on(QueryCommand).resolves({ Items: [] });

    await createListClientsHandler(options)(apiEvent({ method: 'GET', collection: true }), LAMBDA_CONTEXT);

    expect(
      decodedCondition({
        ...dynamo.commandCalls(QueryCommand)[0]?.args[0].input,
        ConditionExpression: dynamo.commandCalls(QueryCommand)[0]?.args[0].input.FilterExpression,
      }),
    ).toBe('attribute_not_exists(deleted_at)');
  });

  it("lists every client while the answer fits in Lambda's 6 MB, and otherwise stops with a cursor", async () => {
    // 30 clients of about 200 KB each: 6 MB of answer, over what Lambda passes back.
    const big = Array.from({ length: 30 }, (_, index) =>
      storedClient({
        id: `00000000-0000-4000-8000-${String(index).padStart(12, '0')}`,
        redirect_uris: Array.from({ length: 100 }, (__, uri) => `https://app.example.com/${uri}/${'x'.repeat(2000)}`),
      }),
    );
    dynamo.on(QueryCommand).resolves({ Items: big.map((client) => clientItem(client, 1)) });

    const response = await createListClientsHandler(options)(
      apiEvent({ method: 'GET', collection: true }),
      LAMBDA_CONTEXT,
    );

    const body = JSON.parse(response.body);
    expect(Buffer.byteLength(JSON.stringify(response))).toBeLessThanOrEqual(LIST_BUDGET_BYTES + 1024);
    expect(body.data.length).toBeGreaterThan(0);
    expect(body.data.length).toBeLessThan(big.length);
    expect(Buffer.from(body.next_cursor, 'base64url').toString()).toBe(body.data.at(-1).id);
  });

  it('lists every client of every DynamoDB page when they fit, without a cursor', async () => {
    const [first, second] = ['10000000-0000-4000-8000-000000000001', '20000000-0000-4000-8000-000000000002'].map((id) =>
      storedClient({ id }),
    ) as [Client, Client];
    dynamo
      .on(QueryCommand)
      .resolvesOnce({ Items: [clientItem(first, 1)], LastEvaluatedKey: itemKeys.client(first.id) })
      .resolvesOnce({ Items: [clientItem(second, 1)] });

    const response = await createListClientsHandler(options)(
      apiEvent({ method: 'GET', collection: true }),
      LAMBDA_CONTEXT,
    );

    expect(JSON.parse(response.body)).toEqual({ data: [toClientView(first), toClientView(second)] });
    expect(dynamo.commandCalls(QueryCommand)[1]?.args[0].input.ExclusiveStartKey).toEqual(itemKeys.client(first.id));
  });

  it('derives a did reading neither the private key nor, after the write, anything but what it wrote', async () => {
    const { private_key: _, ...withoutPrivateKey } = storedClient({ public_key: ED25519_PUBLIC_KEY });
    dynamo.on(GetCommand).resolves({ Item: { ...clientItem(storedClient(), 3), ...withoutPrivateKey } });
    dynamo
      .on(UpdateCommand)
      .callsFake((input) => ({ Attributes: { did: input.ExpressionAttributeValues[':a0'], version: 4 } }));

    const response = await createRegenerateDidHandler(options)(
      apiEvent({ method: 'POST', action: '/regenerate_did', rawBody: null }),
      LAMBDA_CONTEXT,
    );

    expect(response.statusCode).toBe(200);
    expect(response.headers?.ETag).toBe('"4"');
    expect(JSON.parse(response.body)).toEqual({
      data: { ...toClientView(storedClient({ public_key: ED25519_PUBLIC_KEY })), did: ED25519_DID },
    });
    expect(projectedAttributes(dynamo.commandCalls(GetCommand)[0]?.args[0].input)).toEqual(SHOWN_ATTRIBUTES);
    const write = firstUpdate();
    expect(write.ReturnValues).toBe('UPDATED_NEW');
    expect(recordedEntry(write)).toMatchObject({
      version: 4,
      action: 'did_regenerated',
      changes: { did: { from: storedClient().did, to: ED25519_DID } },
    });
  });

  it('regenerates a key pair reading the old private key, whose fingerprint the entry records, never the history', async () => {
    const client = storedClient({ key_pair_type: { type: 'ec', curve: 'P-256' } });
    dynamo.on(GetCommand).resolves({ Item: clientItem(client, 3) });
    dynamo.on(UpdateCommand).callsFake((input) => ({ Attributes: { ...decodedUpdate(input).set } }));

    const response = await createRegenerateKeyPairHandler(options)(
      apiEvent({ method: 'POST', action: '/regenerate_key_pair', rawBody: null }),
      LAMBDA_CONTEXT,
    );

    expect(response.statusCode).toBe(200);
    expect(projectedAttributes(dynamo.commandCalls(GetCommand)[0]?.args[0].input)).toEqual(
      [...SHOWN_ATTRIBUTES, 'private_key'].sort(),
    );
    const write = firstUpdate();
    const { private_key: privateKey, public_key: publicKey } = decodedUpdate(write).set as Record<string, string>;
    const entry = recordedEntry(write);
    expect(entry).toMatchObject({ version: 4, action: 'key_pair_regenerated' });
    expect(entry?.changes.private_key).toEqual({
      changed: true,
      from_fingerprint: valueFingerprint(CLIENT_ID, 'private_key', client.private_key),
      to_fingerprint: valueFingerprint(CLIENT_ID, 'private_key', privateKey),
    });
    expect(entry?.changes.public_key).toMatchObject({
      changed: true,
      to_fingerprint: expect.stringMatching(/^sha256:/),
    });
    const recorded = JSON.stringify(entry);
    for (const secret of [privateKey, publicKey, client.private_key as string]) expect(recorded).not.toContain(secret);
  });
});

describe('delete', () => {
  it('reads the client, then leaves a tombstone conditional on that version, then deletes its links', async () => {
    dynamo.on(GetCommand).resolves({ Item: clientItem(storedClient(), 2) });
    dynamo.on(UpdateCommand).resolves({});
    dynamo.on(DeleteCommand).resolves({});

    const response = await createDeleteClientHandler(options)(apiEvent({ method: 'DELETE' }), LAMBDA_CONTEXT);

    expect(response.statusCode).toBe(204);
    expect(dynamo.calls().map((call) => call.args[0].constructor.name)).toEqual([
      'GetCommand',
      'UpdateCommand',
      'DeleteCommand',
      'DeleteCommand',
    ]);
    // With the private key (its fingerprint goes in the entry), without the history.
    expect(projectedAttributes(dynamo.commandCalls(GetCommand)[0]?.args[0].input)).toEqual(
      [...SHOWN_ATTRIBUTES, 'private_key'].sort(),
    );
    const tombstone = firstUpdate();
    expect(tombstone.Key).toEqual(itemKeys.client(CLIENT_ID));
    expect(decodedCondition(tombstone)).toBe('version = 2 AND attribute_not_exists(deleted_at)');
    const { set, remove } = decodedUpdate(tombstone);
    expect(set).toEqual({
      version: 3,
      history_3: recordedEntry(tombstone),
      deleted_at: expect.stringMatching(/Z$/),
      expires_at: expect.any(Number),
    });
    const retention = (set.expires_at as number) - Date.parse(set.deleted_at as string) / 1000;
    expect(Math.round(retention / 86_400)).toBe(365);
    // Every field of the client goes, secrets included; the keys, the version and the history stay.
    expect(remove.sort()).toEqual([...CLIENT_VIEW_KEYS, 'private_key'].sort());
    expect(recordedEntry(tombstone)).toMatchObject({
      version: 3,
      action: 'deleted',
      actor: { sub: 'admin' },
      changes: {
        name: { from: 'Demo client', to: null },
        secret: { changed: true, to_fingerprint: null },
        private_key: { changed: true, to_fingerprint: null },
      },
    });
    // The links of its copies, and those of writes that lost to it (up to the tombstone's version).
    const links = dynamo.commandCalls(DeleteCommand).map((call) => call.args[0].input);
    expect(links.map((input) => input.Key)).toEqual([
      itemKeys.link('scope', SCOPE_OPENID.id, CLIENT_ID),
      itemKeys.link('identity-provider', IDENTITY_PROVIDER.id, CLIENT_ID),
    ]);
    expect(links.map(decodedCondition)).toEqual(['client_version <= 3', 'client_version <= 3']);
  });

  it('reads again and tombstones the version that won when another write landed in between', async () => {
    dynamo
      .on(GetCommand)
      .resolvesOnce({ Item: clientItem(storedClient(), 2) })
      .resolves({ Item: clientItem(storedClient({ name: 'Renamed' }), 3) });
    dynamo
      .on(UpdateCommand)
      .rejectsOnce(new ConditionalCheckFailedException({ message: 'failed', $metadata: {} }))
      .resolves({});
    dynamo.on(DeleteCommand).resolves({});

    const response = await createDeleteClientHandler(options)(apiEvent({ method: 'DELETE' }), LAMBDA_CONTEXT);

    expect(response.statusCode).toBe(204);
    const [lost, won] = dynamo.commandCalls(UpdateCommand).map((call) => call.args[0].input);
    expect(recordedEntry(lost ?? {})).toMatchObject({ version: 3, changes: { name: { from: 'Demo client' } } });
    expect(decodedCondition(won ?? {})).toBe('version = 3 AND attribute_not_exists(deleted_at)');
    expect(recordedEntry(won ?? {})).toMatchObject({ version: 4, changes: { name: { from: 'Renamed', to: null } } });
  });

  it.each([
    ['no item', undefined],
    ['a tombstone', TOMBSTONE],
  ])('answers 404 and writes nothing when DynamoDB finds %s', async (_, item) => {
    dynamo.on(GetCommand).resolves({ Item: item });

    const response = await createDeleteClientHandler(options)(apiEvent({ method: 'DELETE' }), LAMBDA_CONTEXT);

    expect(response.statusCode).toBe(404);
    expect(dynamo.calls()).toHaveLength(1);
  });
});

describe('create', () => {
  it.each([
    ['101 scope names', Array.from({ length: 101 }, (_, index) => ({ name: `scope:${index}` }))],
    ['101 copies of one name (counted before duplicates merge)', Array.from({ length: 101 }, () => ({ name: 'a' }))],
  ])('answers 422 for %s with no DynamoDB call and no key generated', async (_, scopes) => {
    const response = await createCreateClientHandler(options)(
      apiEvent({
        method: 'POST',
        collection: true,
        body: { client: { identity_provider: { id: IDENTITY_PROVIDER.id }, authorized_scopes: scopes } },
      }),
      LAMBDA_CONTEXT,
    );

    expect(response.statusCode).toBe(422);
    expect(JSON.parse(response.body)).toEqual({
      code: 'UNPROCESSABLE_ENTITY',
      message: 'Your request could not be processed.',
      errors: { authorized_scopes: ['should have at most 100 item(s)'] },
    });
    expect(dynamo.calls()).toHaveLength(0);
  });
});

describe('key material of a write-protected client', () => {
  // A key both routes could work with: only the protection stops them.
  const ED25519_PUBLIC_KEY = generateKeyPairSync('ed25519').publicKey.export({ type: 'spki', format: 'pem' }) as string;
  const protectedOptions = { ...options, protectedClientIds: [CLIENT_ID.toUpperCase()] };

  it.each([
    ['regenerate_did', createRegenerateDidHandler, '/regenerate_did'],
    ['regenerate_key_pair', createRegenerateKeyPairHandler, '/regenerate_key_pair'],
  ])('%s answers 403 with the write-protected body and writes nothing', async (_, createHandler, action) => {
    dynamo.on(GetCommand).resolves({
      Item: clientItem(storedClient({ key_pair_type: { type: 'universal' }, public_key: ED25519_PUBLIC_KEY }), 2),
    });

    const response = await createHandler(protectedOptions)(apiEvent({ method: 'POST', action }), LAMBDA_CONTEXT);

    expect(response.statusCode).toBe(403);
    expect(JSON.parse(response.body)).toEqual({
      code: 'FORBIDDEN',
      message: 'The resource is write protected.',
      errors: { resource: ['is write protected.'] },
    });
    expect(dynamo.commandCalls(UpdateCommand)).toHaveLength(0);
  });
});

describe('a string that is not valid Unicode in a client body', () => {
  it.each([
    ['POST /api/clients', () => createCreateClientHandler(options), { method: 'POST', collection: true }],
    ['PATCH /api/clients/{client_id}', () => createUpdateClientHandler(options), { method: 'PATCH' }],
    ['PUT /api/clients/{client_id}', () => createUpdateClientHandler(options), { method: 'PUT' }],
  ] as const)('%s answers 400 before any DynamoDB call', async (_, handler, route) => {
    const response = await handler()(
      apiEvent({ ...route, body: { client: { name: 'ops\ud800', redirect_uris: ['https://a.example/cb'] } } }),
      LAMBDA_CONTEXT,
    );

    expect(response.statusCode).toBe(400);
    expect(JSON.parse(response.body)).toEqual({
      code: 'BAD_REQUEST',
      message: 'The request is malformed.',
      errors: { resource: ['request body holds a string that is not valid Unicode (a lone surrogate)'] },
    });
    expect(dynamo.calls()).toHaveLength(0);
  });
});
