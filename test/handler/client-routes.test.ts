import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { DeleteCommand, DynamoDBDocumentClient, GetCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import {
  createDeleteClientHandler,
  createGetClientHandler,
  createListClientsHandler,
} from '../../lambda/routes/client-routes.js';
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
