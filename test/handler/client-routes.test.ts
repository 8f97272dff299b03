import { generateKeyPairSync } from 'node:crypto';
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { DeleteCommand, DynamoDBDocumentClient, GetCommand, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import type { Client } from '../../lambda/domain/client.js';
import { CLIENT_VIEW_KEYS, toClientView } from '../../lambda/domain/client-view.js';
import { didKeyFromPublicKey } from '../../lambda/domain/did-key.js';
import {
  createCreateClientHandler,
  createDeleteClientHandler,
  createGetClientHandler,
  createListClientsHandler,
  createRegenerateDidHandler,
  createRegenerateKeyPairHandler,
  LIST_BUDGET_BYTES,
} from '../../lambda/routes/client-routes.js';
import { createUpdateClientHandler } from '../../lambda/routes/update-client.js';
import { createDocumentClient } from '../../lambda/store/document-client.js';
import { DynamoDbClientStore, itemKeys } from '../../lambda/store/dynamodb-client-store.js';
import { CLIENT_ID, IDENTITY_PROVIDER, SCOPE_OPENID, storedClient } from '../support/clients.js';
import { apiEvent, LAMBDA_CONTEXT } from '../support/events.js';
import { clientItem } from '../support/items.js';
import { routeOptions } from '../support/routes.js';

const TABLE = 'clients-test';
const dynamo = mockClient(DynamoDBDocumentClient);
const options = routeOptions(new DynamoDbClientStore(createDocumentClient(), TABLE));

beforeEach(() => {
  dynamo.reset();
});

/** Every attribute an answer shows, and the version: the private key is not among them. */
const ANSWERED_ATTRIBUTES = [...CLIENT_VIEW_KEYS, 'version'].sort();
const ED25519_PUBLIC_KEY = generateKeyPairSync('ed25519').publicKey.export({ type: 'spki', format: 'pem' }) as string;
const ED25519_DID = didKeyFromPublicKey(ED25519_PUBLIC_KEY);

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
    expect(projectedAttributes(dynamo.commandCalls(GetCommand)[0]?.args[0].input)).toEqual(ANSWERED_ATTRIBUTES);
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
    expect(projectedAttributes(dynamo.commandCalls(GetCommand)[0]?.args[0].input)).toEqual(ANSWERED_ATTRIBUTES);
    expect(dynamo).toHaveReceivedCommandWith(UpdateCommand, { ReturnValues: 'UPDATED_NEW' });
  });
});

describe('delete', () => {
  it('is one DeleteItem conditional on the item existing, then one round trip for its links', async () => {
    dynamo
      .on(DeleteCommand)
      .resolves({})
      .on(DeleteCommand, { Key: itemKeys.client(CLIENT_ID) })
      .resolves({
        Attributes: clientItem(storedClient(), 2),
      });

    const response = await createDeleteClientHandler(options)(apiEvent({ method: 'DELETE' }), LAMBDA_CONTEXT);

    expect(response.statusCode).toBe(204);
    const deletes = dynamo.commandCalls(DeleteCommand).map((call) => call.args[0].input);
    expect(deletes[0]).toMatchObject({
      TableName: TABLE,
      Key: itemKeys.client(CLIENT_ID),
      ConditionExpression: 'attribute_exists(#pk)',
      ReturnValues: 'ALL_OLD',
    });
    // The links of the deleted item's copies, unless a client created since with the same id put them.
    expect(deletes.slice(1).map((input) => input.Key)).toEqual([
      itemKeys.link('scope', SCOPE_OPENID.id, CLIENT_ID),
      itemKeys.link('identity-provider', IDENTITY_PROVIDER.id, CLIENT_ID),
    ]);
    expect(deletes[1]?.ConditionExpression).toBe('#at < :before');
    expect(dynamo.calls()).toHaveLength(3);
  });

  it('answers 404 when DynamoDB finds no item to delete', async () => {
    dynamo.on(DeleteCommand).rejects(new ConditionalCheckFailedException({ message: 'failed', $metadata: {} }));
    dynamo.on(GetCommand).resolves({});

    const response = await createDeleteClientHandler(options)(apiEvent({ method: 'DELETE' }), LAMBDA_CONTEXT);

    expect(response.statusCode).toBe(404);
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
