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
import { LIST_BUDGET_BYTES, RESOURCE_LIMITS } from '../../lambda/domain/resource-limits.js';
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

const SCOPE_COUNTER = { pk: 'SCOPE_COUNT', sk: 'SCOPE_COUNT' };
/** The changes asked of the scopes' counter, and the bound their condition puts on the count. */
const counterChanges = () =>
  dynamo
    .commandCalls(UpdateCommand)
    .map((entry) => entry.args[0].input)
    .filter((input) => input.Key?.pk === SCOPE_COUNTER.pk && input.Key?.sk === SCOPE_COUNTER.sk)
    .map(({ ExpressionAttributeValues: values = {} }) => {
      const add = (values[':slots'] ?? values[':change']) as number;
      return add > 0
        ? { add, guarantees: `count + ${add} <= ${(values[':room'] as number) + add}` }
        : { add, guarantees: `count - ${-add} >= ${(values[':held'] as number) + add}` };
    });

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

describe('GET /api/scopes and /api/identity-providers: bounded by the quota', () => {
  // The largest view: every character of a name (and a label) JSON-escaped twice, once in the
  // body and once in Lambda's answer (`\u0001` becomes `\\u0001`, 7 bytes).
  const LARGEST = '\u0001'.repeat(255);
  const idOf = (index: number) => `00000000-0000-4000-8000-${String(index).padStart(12, '0')}`;
  const kinds = [
    {
      path: '/api/scopes',
      handler: createListScopesHandler,
      limits: RESOURCE_LIMITS.scope,
      item: (index: number) => ({
        ...itemKeys.scope(idOf(index)),
        id: idOf(index),
        name: `${index}${LARGEST}`.slice(0, 255),
        label: LARGEST,
        public: false,
        version: 9,
      }),
    },
    {
      path: '/api/identity-providers',
      handler: createListIdentityProvidersHandler,
      limits: RESOURCE_LIMITS['identity-provider'],
      item: (index: number) => ({
        ...itemKeys.identityProvider(idOf(index)),
        id: idOf(index),
        name: `${index}${LARGEST}`.slice(0, 255),
        version: 9,
      }),
    },
  ];

  /** A partition of `count` items, served in pages of at most 300 (or the Limit asked). */
  let served = 0;
  function givenPartition(count: number, item: (index: number) => Record<string, unknown>) {
    served = 0;
    dynamo.on(QueryCommand).callsFake((input) => {
      const start = input.ExclusiveStartKey ? Number(input.ExclusiveStartKey.sk.slice(-12)) + 1 : 0;
      const end = Math.min(count, start + Math.min(input.Limit ?? 300, 300));
      const Items = Array.from({ length: end - start }, (_, offset) => item(start + offset));
      served += Items.length;
      return { Items, ...(end < count && { LastEvaluatedKey: { pk: Items[0]?.pk, sk: idOf(end - 1) } }) };
    });
  }
  const itemsRead = () => served;

  it.each(kinds)(
    'answers all of the most that $path reads, each as large as its view can be, within the list budget',
    async ({ path, handler, limits, item }) => {
      givenPartition(limits.listCeiling, item);

      const response = await handler(options)(event('GET', path), LAMBDA_CONTEXT);

      expect(response.statusCode).toBe(200);
      expect(JSON.parse(response.body).data).toHaveLength(limits.listCeiling);
      // What Lambda sends back is the proxy result as JSON: it must stay under its 6 MB.
      expect(Buffer.byteLength(JSON.stringify(response))).toBeLessThanOrEqual(LIST_BUDGET_BYTES);
      expect(limits.quota).toBeLessThan(limits.listCeiling);
      expect(itemsRead()).toBeLessThanOrEqual(limits.listCeiling + 1);
    },
  );

  it.each(kinds)(
    'reads no more than one item past its ceiling and answers 500 when $path holds more (a table filled before quotas)',
    async ({ path, handler, limits, item }) => {
      givenPartition(limits.listCeiling + 5000, item);

      const response = await handler(options)(event('GET', path), LAMBDA_CONTEXT);

      expect(response.statusCode).toBe(500);
      expect(JSON.parse(response.body)).toEqual({
        code: 'INTERNAL_SERVER_ERROR',
        message: 'An internal error occurred.',
      });
      expect(itemsRead()).toBe(limits.listCeiling + 1);
    },
  );
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
  it('counts the scope against the quota, claims the name with the scope to create, then stores it: 201 with Location and ETag', async () => {
    dynamo.on(PutCommand).resolves({});
    dynamo.on(UpdateCommand).resolves({ Attributes: { ...SCOPE_COUNTER, count: 8 } });

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
    expect(commandNames()).toEqual(['UpdateCommand', 'PutCommand', 'PutCommand']);
    expect(counterChanges()).toEqual([{ add: 1, guarantees: 'count + 1 <= 1000' }]);
  });

  it('answers 422 when the name belongs to another scope, storing nothing and giving its slot back', async () => {
    dynamo.on(UpdateCommand).resolves({ Attributes: { ...SCOPE_COUNTER, count: 8 } });
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
    expect(counterChanges()).toEqual([
      { add: 1, guarantees: 'count + 1 <= 1000' },
      { add: -1, guarantees: 'count - 1 >= 0' },
    ]);
  });

  it('answers 422 on name past the quota, before it locks or stores anything', async () => {
    dynamo.on(UpdateCommand).rejects(conditionFailed());
    dynamo.on(GetCommand).resolves({ Item: { ...SCOPE_COUNTER, count: 1000, recounted_at: Date.now() } });

    const response = await call(
      createCreateScopeHandler(options),
      event('POST', '/api/scopes', { body: { scope: { name: 'billing' } } }),
    );

    expect(response.statusCode).toBe(422);
    expect(response.json).toEqual({
      code: 'UNPROCESSABLE_ENTITY',
      message: 'Your request could not be processed.',
      errors: { name: ['limit of 1000 scopes reached'] },
    });
    // A count rebuilt less than a minute ago is trusted: no Query of the scopes.
    expect(commandNames()).toEqual(['UpdateCommand', 'GetCommand']);
    expect(dynamo.commandCalls(GetCommand)[0]?.args[0].input.Key).toEqual(SCOPE_COUNTER);
  });

  it('rebuilds a count older than a minute from a Query that only counts, then claims again', async () => {
    dynamo
      .on(UpdateCommand)
      .rejectsOnce(conditionFailed())
      .resolves({ Attributes: { ...SCOPE_COUNTER, count: 998 } });
    const stale = { ...SCOPE_COUNTER, count: 1000, recounted_at: Date.now() - 61_000 };
    dynamo.on(GetCommand).resolves({ Item: stale });
    dynamo
      .on(QueryCommand)
      .resolvesOnce({ Count: 600, LastEvaluatedKey: { pk: 'SCOPE', sk: 'x' } })
      .resolves({ Count: 397 });
    dynamo.on(PutCommand).resolves({});

    const response = await call(
      createCreateScopeHandler(options),
      event('POST', '/api/scopes', { body: { scope: { name: 'billing' } } }),
    );

    expect(response.statusCode).toBe(201);
    const queries = dynamo.commandCalls(QueryCommand).map((entry) => entry.args[0].input);
    expect(queries.map(({ Select, ExpressionAttributeValues }) => ({ Select, ExpressionAttributeValues }))).toEqual([
      { Select: 'COUNT', ExpressionAttributeValues: { ':pk': 'SCOPE' } },
      { Select: 'COUNT', ExpressionAttributeValues: { ':pk': 'SCOPE' } },
    ]);
    const [rebuilt] = dynamo.commandCalls(PutCommand).map((entry) => entry.args[0].input);
    // The rebuilt count replaces only the counter as read: a claim or release meanwhile wins.
    expect(rebuilt?.Item).toEqual({ ...SCOPE_COUNTER, count: 997, recounted_at: expect.any(Number) });
    expect(rebuilt?.ExpressionAttributeValues).toEqual({ ':seen': 1000, ':recounted': stale.recounted_at });
    expect(counterChanges()).toEqual([
      { add: 1, guarantees: 'count + 1 <= 1000' },
      { add: 1, guarantees: 'count + 1 <= 1000' },
    ]);
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
      'UpdateCommand SCOPE_COUNT',
      'DeleteCommand SCOPE_NAME',
      'QueryCommand ',
    ]);
    expect(counterChanges()).toEqual([{ add: -1, guarantees: 'count - 1 >= 0' }]);
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
  it('answers 422 on name past their own quota, asking only their own counter', async () => {
    const counter = { pk: 'IDENTITY_PROVIDER_COUNT', sk: 'IDENTITY_PROVIDER_COUNT' };
    dynamo.on(UpdateCommand).rejects(conditionFailed());
    dynamo.on(GetCommand).resolves({ Item: { ...counter, count: 2000, recounted_at: Date.now() } });

    const response = await call(
      createCreateIdentityProviderHandler(options),
      event('POST', '/api/identity-providers', { body: { identity_provider: { name: 'Partners' } } }),
    );

    expect(response.json).toEqual({
      code: 'UNPROCESSABLE_ENTITY',
      message: 'Your request could not be processed.',
      errors: { name: ['limit of 2000 identity providers reached'] },
    });
    const keys = dynamo.calls().map((entry) => (entry.args[0].input as { Key?: unknown }).Key);
    expect(keys).toEqual([counter, counter]);
    expect(dynamo.commandCalls(UpdateCommand)[0]?.args[0].input.ExpressionAttributeValues).toEqual({
      ':slots': 1,
      ':room': 1999,
    });
  });

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
