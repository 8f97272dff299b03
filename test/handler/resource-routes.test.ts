import { Logger } from '@aws-lambda-powertools/logger';
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import {
  BatchGetCommand,
  DeleteCommand,
  DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import type { APIGatewayProxyEvent } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import {
  createCreateIdentityProviderHandler,
  createDeleteIdentityProviderHandler,
  createListIdentityProvidersHandler,
  createUpdateIdentityProviderHandler,
} from '../../lambda/routes/identity-provider-routes.js';
import { createListKeyPairsHandler } from '../../lambda/routes/key-pair-routes.js';
import type { ResourceRouteOptions } from '../../lambda/routes/named-resource-routes.js';
import {
  createCreateScopeHandler,
  createDeleteScopeHandler,
  createGetScopeHandler,
  createListScopesHandler,
  createUpdateScopeHandler,
} from '../../lambda/routes/scope-routes.js';
import { createDocumentClient } from '../../lambda/store/document-client.js';
import { DynamoDbClientStore, itemKeys } from '../../lambda/store/dynamodb-client-store.js';
import { DynamoDbIdentityProviderStore } from '../../lambda/store/dynamodb-identity-provider-store.js';
import { DynamoDbScopeStore } from '../../lambda/store/dynamodb-scope-store.js';
import { IDENTITY_PROVIDER, storedClient } from '../support/clients.js';
import { ADMIN_AUTHORIZER, LAMBDA_CONTEXT } from '../support/events.js';
import { clientItem } from '../support/items.js';

const TABLE = 'clients-test';
const dynamo = mockClient(DynamoDBDocumentClient);
const documents = createDocumentClient();
const options: ResourceRouteOptions = {
  clients: new DynamoDbClientStore(documents, TABLE),
  scopes: new DynamoDbScopeStore(documents, TABLE),
  identityProviders: new DynamoDbIdentityProviderStore(documents, TABLE),
  logger: new Logger({ logLevel: 'SILENT' }),
  requiredScope: 'clients:manage:all',
  scopePrefix: '',
  protectedClientIds: [],
};

const SCOPE = { id: '0d3c9e1a-7b2f-4c5d-8e6f-9a0b1c2d3e4f', name: 'orders:read', label: null, public: false };
const scopeItem = (overrides: Record<string, unknown> = {}) => ({
  ...itemKeys.scope(SCOPE.id),
  ...SCOPE,
  version: 3,
  ...overrides,
});
const ADMIN = 'clients:manage:all scopes:manage:all identity-providers:manage:all';

function event(
  method: string,
  path: string,
  {
    body,
    scope = ADMIN,
    pathParameters,
  }: { body?: unknown; scope?: string; pathParameters?: Record<string, string> } = {},
): APIGatewayProxyEvent {
  const headers = { 'Content-Type': 'application/json', Authorization: 'Bearer token' };
  return {
    resource: path,
    path,
    httpMethod: method,
    headers,
    multiValueHeaders: Object.fromEntries(Object.entries(headers).map(([name, value]) => [name, [value]])),
    queryStringParameters: null,
    multiValueQueryStringParameters: null,
    pathParameters: pathParameters ?? null,
    stageVariables: null,
    body: body === undefined ? null : JSON.stringify(body),
    isBase64Encoded: false,
    requestContext: { authorizer: { ...ADMIN_AUTHORIZER, scope } } as never,
  } as APIGatewayProxyEvent;
}

const scopeEvent = (method: string, options: { body?: unknown; scope?: string } = {}) =>
  event(method, `/api/scopes/${SCOPE.id}`, { ...options, pathParameters: { scope_id: SCOPE.id } });

async function call(handler: ReturnType<typeof createListScopesHandler>, request: APIGatewayProxyEvent) {
  const response = await handler(request, LAMBDA_CONTEXT);
  return { ...response, json: response.body ? JSON.parse(response.body) : undefined };
}

const conditionFailed = () => new ConditionalCheckFailedException({ message: 'failed', $metadata: {} });
const commandNames = () => dynamo.calls().map((entry) => entry.args[0].constructor.name);

beforeEach(() => {
  dynamo.reset();
});

describe('GET /api/scopes', () => {
  it('reads every page of the scope partition consistently, and answers sorted by name', async () => {
    dynamo
      .on(QueryCommand)
      .resolvesOnce({ Items: [scopeItem({ name: 'profile' })], LastEvaluatedKey: itemKeys.scope('a') })
      .resolvesOnce({ Items: [scopeItem({ id: 'b', name: 'email', label: 'E-mail', public: true, deleting: 'x' })] });

    const response = await call(createListScopesHandler(options), event('GET', '/api/scopes'));

    expect(response.json).toEqual({
      data: [
        { id: 'b', name: 'email', label: 'E-mail', public: true },
        { id: SCOPE.id, name: 'profile', label: null, public: false },
      ],
    });
    expect(dynamo.commandCalls(QueryCommand).map((entry) => entry.args[0].input)).toEqual([
      expect.objectContaining({ ConsistentRead: true, ExpressionAttributeValues: { ':pk': 'SCOPE' } }),
      expect.objectContaining({ ExclusiveStartKey: itemKeys.scope('a') }),
    ]);
  });

  it('serves any of the four reading scopes, and names clients:manage:all to a token with none', async () => {
    dynamo.on(QueryCommand).resolves({ Items: [] });
    const handler = createListScopesHandler(options);

    expect((await call(handler, event('GET', '/api/scopes', { scope: 'users:manage:all' }))).statusCode).toBe(200);
    const refused = await call(handler, event('GET', '/api/scopes', { scope: 'openid' }));
    expect(refused.statusCode).toBe(403);
    expect(refused.headers?.['WWW-Authenticate']).toBe('Bearer error="insufficient_scope", scope="clients:manage:all"');
  });
});

describe('GET /api/scopes/{scope_id}', () => {
  it('is one consistent GetItem, the version as ETag', async () => {
    dynamo.on(GetCommand).resolves({ Item: scopeItem() });

    const response = await call(createGetScopeHandler(options), scopeEvent('GET'));

    expect(response.json).toEqual({ data: SCOPE });
    expect(response.headers?.ETag).toBe('"3"');
    expect(dynamo).toHaveReceivedCommandWith(GetCommand, { Key: itemKeys.scope(SCOPE.id), ConsistentRead: true });
    expect(dynamo.calls()).toHaveLength(1);
  });

  it('answers 404 with errors.resource', async () => {
    dynamo.on(GetCommand).resolves({});

    expect((await call(createGetScopeHandler(options), scopeEvent('GET'))).json).toEqual({
      code: 'NOT_FOUND',
      message: 'The requested resource could not be found.',
      errors: { resource: ['the requested resource could not be found.'] },
    });
  });
});

describe('POST /api/scopes', () => {
  it('claims the name with the scope to create, then stores it: 201 with Location and ETag', async () => {
    dynamo.on(PutCommand).resolves({});

    const response = await call(
      createCreateScopeHandler(options),
      event('POST', '/api/scopes', { body: { scope: { name: 'billing', label: 'Billing', public: true } } }),
    );

    expect(response.statusCode).toBe(201);
    const { id } = response.json.data;
    expect(response.json.data).toEqual({ id, name: 'billing', label: 'Billing', public: true });
    expect(response.headers).toMatchObject({ Location: `/api/scopes/${id}`, ETag: '"1"' });
    expect(dynamo.commandCalls(PutCommand).map((entry) => entry.args[0].input.Item)).toEqual([
      { ...itemKeys.scopeName('billing'), id, name: 'billing', created: response.json.data },
      { ...itemKeys.scope(id), ...response.json.data, version: 1 },
    ]);
    expect(commandNames()).toEqual(['PutCommand', 'PutCommand']);
  });

  it('answers 422 when the name belongs to another scope, storing nothing', async () => {
    dynamo
      .on(PutCommand)
      .rejects(conditionFailed())
      .on(GetCommand, { Key: itemKeys.scopeName('orders:read') })
      .resolves({ Item: { ...itemKeys.scopeName('orders:read'), id: SCOPE.id, name: 'orders:read' } })
      .on(GetCommand, { Key: itemKeys.scope(SCOPE.id) })
      .resolves({ Item: scopeItem() });

    const response = await call(
      createCreateScopeHandler(options),
      event('POST', '/api/scopes', { body: { scope: { name: 'orders:read' } } }),
    );

    expect(response.json).toEqual({
      code: 'UNPROCESSABLE_ENTITY',
      message: 'Your request could not be processed.',
      errors: { name: ['has already been taken'] },
    });
    expect(dynamo.commandCalls(PutCommand)).toHaveLength(1);
  });

  it('answers 400 for a body without scope, and 403 naming scopes:manage:all to a clients token', async () => {
    const handler = createCreateScopeHandler(options);

    expect((await call(handler, event('POST', '/api/scopes', { body: { name: 'x' } }))).json.errors).toEqual({
      scope: ['is required'],
    });
    const refused = await call(
      handler,
      event('POST', '/api/scopes', { body: { scope: { name: 'x' } }, scope: 'clients:manage:all' }),
    );
    expect(refused.statusCode).toBe(403);
    expect(refused.headers?.['WWW-Authenticate']).toBe('Bearer error="insufficient_scope", scope="scopes:manage:all"');
    expect(dynamo.calls()).toHaveLength(0);
  });
});

describe('PATCH /api/scopes/{scope_id}', () => {
  it('changes a label in two round trips and touches no client', async () => {
    dynamo.on(GetCommand).resolves({ Item: scopeItem() });
    dynamo.on(UpdateCommand).resolves({ Attributes: scopeItem({ label: 'Orders', version: 4 }) });

    const response = await call(
      createUpdateScopeHandler(options),
      scopeEvent('PATCH', { body: { scope: { label: 'Orders' } } }),
    );

    expect(response.json).toEqual({ data: { ...SCOPE, label: 'Orders' } });
    expect(response.headers?.ETag).toBe('"4"');
    expect(commandNames()).toEqual(['GetCommand', 'UpdateCommand']);
    expect(dynamo.commandCalls(UpdateCommand)[0]?.args[0].input.ExpressionAttributeValues).toEqual({
      ':next': 4,
      ':a0': 'Orders',
      ':expected': 3,
    });
  });

  it('renames: pending name, new lock, scope, old lock freed, then every linked client, then the mark cleared', async () => {
    dynamo.on(GetCommand).resolves({ Item: scopeItem() });
    dynamo.on(PutCommand).resolves({});
    dynamo.on(DeleteCommand).resolves({});
    dynamo.on(UpdateCommand).callsFake((input) => ({
      Attributes: scopeItem({
        name: 'orders:write',
        version: 4,
        copies_pending: true,
        ...(input.Key.pk === 'CLIENT' && {}),
      }),
    }));
    dynamo.on(QueryCommand).resolves({ Items: [] });

    const response = await call(
      createUpdateScopeHandler(options),
      scopeEvent('PATCH', { body: { scope: { id: SCOPE.id, name: 'orders:write', label: null, public: false } } }),
    );

    expect(response.statusCode).toBe(200);
    expect(response.json.data.name).toBe('orders:write');
    expect(commandNames()).toEqual([
      'GetCommand',
      'UpdateCommand',
      'PutCommand',
      'UpdateCommand',
      'DeleteCommand',
      'QueryCommand',
      'UpdateCommand',
    ]);
    const [pending, rename, clear] = dynamo.commandCalls(UpdateCommand).map((entry) => entry.args[0].input);
    expect(pending).toMatchObject({
      UpdateExpression: 'SET #pending = :name',
      ExpressionAttributeValues: { ':name': 'orders:write', ':expected': 3 },
    });
    expect(rename?.ExpressionAttributeValues).toMatchObject({ ':pending': 'orders:write', ':true': true, ':next': 4 });
    expect(clear).toMatchObject({ UpdateExpression: 'REMOVE #copies', ExpressionAttributeValues: { ':expected': 4 } });
    expect(dynamo).toHaveReceivedCommandWith(PutCommand, {
      Item: { ...itemKeys.scopeName('orders:write'), id: SCOPE.id, name: 'orders:write' },
    });
    expect(dynamo).toHaveReceivedCommandWith(DeleteCommand, {
      Key: itemKeys.scopeName('orders:read'),
      ExpressionAttributeValues: { ':id': SCOPE.id },
    });
    expect(dynamo.commandCalls(QueryCommand)[0]?.args[0].input.ExpressionAttributeValues).toEqual({
      ':pk': 'SCOPE_LINK',
      ':prefix': `${SCOPE.id}#`,
    });
  });

  it.each([
    ['a protected scope (403) before its fields (422)', scopeItem({ name: 'clients:manage:all' }), 403],
    ['an unknown scope (404) before its fields', undefined, 404],
  ])('answers %s', async (_, item, status) => {
    dynamo.on(GetCommand).resolves({ Item: item });

    const response = await call(
      createUpdateScopeHandler(options),
      scopeEvent('PATCH', { body: { scope: { name: null } } }),
    );

    expect(response.statusCode).toBe(status);
    expect(commandNames()).toEqual(['GetCommand']);
  });

  it('answers 412 when If-Match names another version', async () => {
    dynamo.on(GetCommand).resolves({ Item: scopeItem() });
    const request = scopeEvent('PATCH', { body: { scope: { label: 'x' } } });
    request.headers['If-Match'] = '"2"';
    request.multiValueHeaders['If-Match'] = ['"2"'];

    expect((await call(createUpdateScopeHandler(options), request)).statusCode).toBe(412);
    expect(dynamo.commandCalls(UpdateCommand)).toHaveLength(0);
  });
});

describe('DELETE /api/scopes/{scope_id}', () => {
  it('marks the scope, removes it from its clients, frees its lock, then deletes it and its links', async () => {
    const holder = storedClient({ authorized_scopes: [{ id: SCOPE.id, name: SCOPE.name, public: false }] });
    const link = { ...itemKeys.link('scope', SCOPE.id, holder.id), client_id: holder.id, client_version: 2 };
    dynamo.on(GetCommand).resolves({ Item: scopeItem() });
    dynamo
      .on(UpdateCommand)
      .callsFake((input) =>
        input.Key.pk === 'CLIENT'
          ? { Attributes: clientItem({ ...holder, authorized_scopes: [] }, 3) }
          : { Attributes: scopeItem({ deleting: 'token' }) },
      );
    dynamo
      .on(QueryCommand)
      .resolvesOnce({ Items: [link] })
      .resolves({ Items: [] });
    dynamo.on(BatchGetCommand).resolves({ Responses: { [TABLE]: [clientItem(holder, 2)] } });
    dynamo.on(DeleteCommand).resolves({});

    const response = await call(createDeleteScopeHandler(options), scopeEvent('DELETE'));

    expect(response.statusCode).toBe(204);
    expect(response.body).toBe('');
    const writes = dynamo
      .calls()
      .map((entry) => entry.args[0])
      .filter((command) => !(command instanceof GetCommand || command instanceof BatchGetCommand))
      .map((command) => `${command.constructor.name} ${(command.input as { Key?: { pk: string } }).Key?.pk ?? ''}`);
    expect(writes).toEqual([
      'UpdateCommand SCOPE',
      'QueryCommand ',
      'UpdateCommand CLIENT',
      'DeleteCommand SCOPE_LINK',
      'UpdateCommand SCOPE_NAME',
      'DeleteCommand SCOPE',
      'DeleteCommand SCOPE_NAME',
      'QueryCommand ',
    ]);
    expect(dynamo).toHaveReceivedCommandWith(UpdateCommand, {
      Key: itemKeys.client(holder.id),
      ExpressionAttributeValues: expect.objectContaining({ ':a0': [], ':expected': 2 }),
    });
    expect(dynamo).toHaveReceivedCommandWith(DeleteCommand, {
      Key: itemKeys.scope(SCOPE.id),
      ConditionExpression: '#deleting = :token',
    });
  });
});

describe('identity providers', () => {
  it('lists for a token that holds only clients:manage:all, exactly id and name', async () => {
    dynamo.on(QueryCommand).resolves({
      Items: [{ ...itemKeys.identityProvider(IDENTITY_PROVIDER.id), ...IDENTITY_PROVIDER, version: 1 }],
    });

    const response = await call(
      createListIdentityProvidersHandler(options),
      event('GET', '/api/identity-providers', { scope: 'clients:manage:all' }),
    );

    expect(response.json).toEqual({ data: [IDENTITY_PROVIDER] });
  });

  it('refuses to delete one that clients link, naming them in ascending order, and unmarks it', async () => {
    const linked = ['f0000000-0000-4000-8000-000000000002', 'a0000000-0000-4000-8000-000000000001'];
    const providerItem = { ...itemKeys.identityProvider(IDENTITY_PROVIDER.id), ...IDENTITY_PROVIDER, version: 1 };
    dynamo.on(GetCommand).resolves({ Item: providerItem });
    dynamo.on(UpdateCommand).resolves({ Attributes: { ...providerItem, deleting: 'token' } });
    dynamo.on(QueryCommand).resolves({
      Items: linked.map((id) => ({
        ...itemKeys.link('identity-provider', IDENTITY_PROVIDER.id, id),
        client_id: id,
        client_version: 1,
      })),
    });
    dynamo.on(BatchGetCommand).resolves({
      Responses: { [TABLE]: linked.map((id) => clientItem(storedClient({ id }), 1)) },
    });

    const response = await call(
      createDeleteIdentityProviderHandler(options),
      event('DELETE', `/api/identity-providers/${IDENTITY_PROVIDER.id}`, {
        pathParameters: { identity_provider_id: IDENTITY_PROVIDER.id },
      }),
    );

    expect(response.json).toEqual({
      code: 'UNPROCESSABLE_ENTITY',
      message: 'Your request could not be processed.',
      errors: {
        client_identity_providers: [`identity provider is associated with client(s) ${linked[1]}, ${linked[0]}`],
      },
    });
    expect(dynamo).toHaveReceivedCommandWith(UpdateCommand, {
      UpdateExpression: 'REMOVE #deleting',
      ExpressionAttributeValues: { ':token': 'token' },
    });
    expect(dynamo.commandCalls(DeleteCommand)).toHaveLength(0);
  });
});

describe('a string that is not valid Unicode in a scope or identity provider body', () => {
  const IDP_ID = '7c1e2d3f-4a5b-4c6d-8e7f-9a0b1c2d3e4f';
  it.each([
    [
      'POST /api/scopes',
      createCreateScopeHandler,
      event('POST', '/api/scopes', { body: { scope: { name: 'orders\udfff' } } }),
    ],
    [
      'PATCH /api/scopes/{scope_id}',
      createUpdateScopeHandler,
      scopeEvent('PATCH', { body: { scope: { label: '\ud800' } } }),
    ],
    [
      'POST /api/identity-providers',
      createCreateIdentityProviderHandler,
      event('POST', '/api/identity-providers', { body: { identity_provider: { name: 'Corp \udbff SSO' } } }),
    ],
    [
      'PATCH /api/identity-providers/{identity_provider_id}',
      createUpdateIdentityProviderHandler,
      event('PATCH', `/api/identity-providers/${IDP_ID}`, {
        body: { identity_provider: { name: 'x', '\udc00': 'a key' } },
        pathParameters: { identity_provider_id: IDP_ID },
      }),
    ],
  ])('%s answers 400 before any DynamoDB call', async (_, createHandler, request) => {
    const response = await call(createHandler(options), request);

    expect(response.statusCode).toBe(400);
    expect(response.json).toEqual({
      code: 'BAD_REQUEST',
      message: 'The request is malformed.',
      errors: { resource: ['request body holds a string that is not valid Unicode (a lone surrogate)'] },
    });
    expect(dynamo.calls()).toHaveLength(0);
  });
});

describe('GET /api/key-pairs', () => {
  it('answers the empty list without a DynamoDB call', async () => {
    const response = await call(createListKeyPairsHandler(options), event('GET', '/api/key-pairs'));

    expect(response.statusCode).toBe(200);
    expect(response.body).toBe('{"data":[]}');
    expect(dynamo.calls()).toHaveLength(0);
  });
});
