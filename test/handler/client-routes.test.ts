import { generateKeyPairSync } from 'node:crypto';
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { DeleteCommand, DynamoDBDocumentClient, GetCommand, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import {
  createCreateClientHandler,
  createDeleteClientHandler,
  createGetClientHandler,
  createListClientsHandler,
  createRegenerateDidHandler,
  createRegenerateKeyPairHandler,
} from '../../lambda/routes/client-routes.js';
import { createDocumentClient } from '../../lambda/store/document-client.js';
import { DynamoDbClientStore, itemKeys } from '../../lambda/store/dynamodb-client-store.js';
import { CLIENT_ID, IDENTITY_PROVIDER, storedClient } from '../support/clients.js';
import { apiEvent, LAMBDA_CONTEXT } from '../support/events.js';
import { clientItem } from '../support/items.js';
import { routeOptions } from '../support/routes.js';

const TABLE = 'clients-test';
const dynamo = mockClient(DynamoDBDocumentClient);
const options = routeOptions(new DynamoDbClientStore(createDocumentClient(), TABLE));

beforeEach(() => {
  dynamo.reset();
});

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
      ExpressionAttributeNames: { '#pk': 'pk' },
      ExpressionAttributeValues: { ':kind': 'CLIENT' },
      ConsistentRead: true,
      Limit: 5,
    });
  });

  it('show a client with one consistent GetItem', async () => {
    dynamo.on(GetCommand).resolves({ Item: clientItem(storedClient(), 4) });

    const response = await createGetClientHandler(options)(apiEvent({ method: 'GET' }), LAMBDA_CONTEXT);

    expect(response.headers?.ETag).toBe('"4"');
    expect(dynamo).toHaveReceivedCommandWith(GetCommand, {
      TableName: TABLE,
      Key: itemKeys.client(CLIENT_ID),
      ConsistentRead: true,
    });
  });
});

describe('delete', () => {
  it('is one DeleteItem conditional on the item existing', async () => {
    dynamo.on(DeleteCommand).resolves({});

    const response = await createDeleteClientHandler(options)(apiEvent({ method: 'DELETE' }), LAMBDA_CONTEXT);

    expect(response.statusCode).toBe(204);
    expect(dynamo.calls()).toHaveLength(1);
    expect(dynamo).toHaveReceivedCommandWith(DeleteCommand, {
      TableName: TABLE,
      Key: itemKeys.client(CLIENT_ID),
      ConditionExpression: 'attribute_exists(#pk)',
    });
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
