import { Logger } from '@aws-lambda-powertools/logger';
import { type DynamoDBDocumentClient, ScanCommand } from '@aws-sdk/lib-dynamodb';
import type { APIGatewayProxyEvent } from 'aws-lambda';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { documentClientFor, type Engine, startDynalite } from '../../bin/local/dynamodb-engines.js';
import type { VersionedClient } from '../../lambda/domain/client.js';
import type { LambdaHandler } from '../../lambda/http/api-handler.js';
import {
  createCreateIdentityProviderHandler,
  createDeleteIdentityProviderHandler,
  createUpdateIdentityProviderHandler,
} from '../../lambda/routes/identity-provider-routes.js';
import type { ResourceRouteOptions } from '../../lambda/routes/named-resource-routes.js';
import {
  createCreateScopeHandler,
  createDeleteScopeHandler,
  createUpdateScopeHandler,
} from '../../lambda/routes/scope-routes.js';
import { createUpdateClientHandler } from '../../lambda/routes/update-client.js';
import { DynamoDbClientStore } from '../../lambda/store/dynamodb-client-store.js';
import { DynamoDbIdentityProviderStore } from '../../lambda/store/dynamodb-identity-provider-store.js';
import { DynamoDbScopeStore } from '../../lambda/store/dynamodb-scope-store.js';
import {
  IDENTITY_PROVIDER,
  OTHER_IDENTITY_PROVIDER,
  SCOPE_OPENID,
  SCOPE_PROFILE,
  storedClient,
} from '../support/clients.js';
import { LAMBDA_CONTEXT, updateEvent } from '../support/events.js';
import { type ResourceRequest, resourceRequest, updateBody } from '../support/generated-bodies.js';
import { dynamoDbStores, givenClient, useCases } from '../support/resources.js';
import { routeOptions } from '../support/routes.js';
import { newTable } from '../support/tables.js';
import { expectedAfterAcceptedUpdate } from '../support/update-model.js';

// 1,000 batches of 10 concurrent requests: 10,000 generated bodies a run (PROPERTY_BATCHES to change).
const BATCHES = Number(process.env.PROPERTY_BATCHES ?? 1000);
// Scope and provider writes, one at a time so that each can be checked against the whole table.
const RESOURCE_REQUESTS = Number(process.env.PROPERTY_RESOURCE_REQUESTS ?? 500);
const RESOURCE_ADMIN = {
  principalId: 'admin',
  sub: 'admin',
  scope: 'clients:manage:all scopes:manage:all identity-providers:manage:all',
};
const CONCURRENCY = 10;
const WORLD = {
  identityProviderIds: [IDENTITY_PROVIDER.id, OTHER_IDENTITY_PROVIDER.id],
  scopeIds: [SCOPE_OPENID.id, SCOPE_PROFILE.id],
  scopeNames: [SCOPE_OPENID.name, SCOPE_PROFILE.name],
};

/** Failing cases fast-check found and shrank, replayed first on every run. */
const REGRESSIONS: string[][] = [];

describe('generated update bodies on a real engine', () => {
  let engine: Engine;
  let store: DynamoDbClientStore;
  let handler: LambdaHandler;
  const clientIds = Array.from(
    { length: CONCURRENCY },
    (_, index) => `70000000-0000-4000-8000-0000000000${String(index).padStart(2, '0')}`,
  );
  const current = new Map<string, VersionedClient>();
  const statuses = new Map<number, number>();

  beforeAll(async () => {
    engine = await startDynalite();
    const documents = documentClientFor(engine.endpoint);
    store = new DynamoDbClientStore(documents, await newTable(documents));
    handler = createUpdateClientHandler(routeOptions(store));
    await Promise.all([
      store.putIdentityProvider(IDENTITY_PROVIDER),
      store.putIdentityProvider(OTHER_IDENTITY_PROVIDER),
      store.putScope(SCOPE_OPENID),
      store.putScope(SCOPE_PROFILE),
    ]);
    for (const id of clientIds) current.set(id, await store.putClient(storedClient({ id })));
  });
  afterAll(async () => {
    await engine?.stop();
  });

  /** One request, and what it must have done to the stored client. */
  async function checkOne(clientId: string, body: string): Promise<void> {
    const before = current.get(clientId) as VersionedClient;
    const response = await handler(updateEvent({ clientId, rawBody: body }), LAMBDA_CONTEXT);
    const after = (await store.getClient(clientId)) as VersionedClient;
    current.set(clientId, after);
    statuses.set(response.statusCode, (statuses.get(response.statusCode) ?? 0) + 1);

    expect(response.statusCode, response.body).toBeLessThan(500);
    if (response.statusCode !== 200) {
      expect(after, `${response.statusCode} ${response.body}`).toEqual(before);
      return;
    }
    const fields = (JSON.parse(body) as { client: Record<string, unknown> }).client;
    const names = ((fields.authorized_scopes as { name?: unknown }[] | null | undefined) ?? [])
      .map((item) => item?.name)
      .filter((name): name is string => typeof name === 'string' && name.length > 0);
    // The scopes as stored: names through their locks to the scope items they point at.
    const references = { identityProviderIds: WORLD.identityProviderIds, scopeIds: WORLD.scopeIds, scopeNames: names };
    const locked = (await store.readForUpdate(clientId, references)).lookups.scopesByName;
    const lookups = await store.readLookups(
      references,
      [...locked.values()].map((scope) => scope.id),
    );
    const expected = expectedAfterAcceptedUpdate(before.client, fields, {
      identityProviders: new Map(lookups.identityProviders),
      scopesById: new Map(lookups.scopesById),
      scopesByName: new Map(lookups.scopesByName),
    });
    expect(after.client).toEqual(expected.client);
    expect(after.version).toBe(before.version + (expected.wrote ? 1 : 0));
    const { data } = JSON.parse(response.body);
    expect(Object.keys(data)).toHaveLength(33);
    for (const [key, value] of Object.entries(data)) {
      if (key === 'identity_provider' || key === 'authorized_scopes') continue;
      expect(value, key).toEqual(after.client[key as keyof typeof after.client] ?? null);
    }
    expect(data.authorized_scopes).toEqual(after.client.authorized_scopes);
    expect(response.body).not.toContain(after.client.private_key);
  }

  it(`never answers 5xx, changes nothing on 4xx and stores what the model predicts on 200 (${BATCHES * CONCURRENCY} bodies)`, async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(updateBody(WORLD), { minLength: CONCURRENCY, maxLength: CONCURRENCY }),
        async (bodies) => {
          await Promise.all(bodies.map((body, index) => checkOne(clientIds[index] as string, body)));
        },
      ),
      { numRuns: BATCHES, examples: REGRESSIONS.map((bodies) => [bodies]) },
    );
    // The generator must keep mixing accepted and refused bodies, or the property proves little.
    const total = [...statuses.values()].reduce((sum, count) => sum + count, 0);
    expect((statuses.get(200) ?? 0) / total).toBeGreaterThan(0.2);
    expect((statuses.get(422) ?? 0) / total).toBeGreaterThan(0.2);
    expect(statuses.get(400) ?? 0).toBeGreaterThan(0);
  }, 600_000);
});

describe('generated scope and identity provider writes on a real engine', () => {
  const SCOPE_IDS = ['71000000-0000-4000-8000-000000000001', '71000000-0000-4000-8000-000000000002'];
  const PROVIDER_IDS = ['72000000-0000-4000-8000-000000000001', '72000000-0000-4000-8000-000000000002'];
  const NAMES = ['orders:read', 'profile', 'Main directory'];
  let engine: Engine;
  let documents: DynamoDBDocumentClient;
  let tableName: string;
  let handlers: Record<ResourceRequest['resource'], Record<ResourceRequest['route'], LambdaHandler>>;
  const statuses = new Map<number, number>();

  beforeAll(async () => {
    engine = await startDynalite();
    documents = documentClientFor(engine.endpoint);
    tableName = await newTable(documents);
    const options: ResourceRouteOptions = {
      clients: new DynamoDbClientStore(documents, tableName),
      scopes: new DynamoDbScopeStore(documents, tableName),
      identityProviders: new DynamoDbIdentityProviderStore(documents, tableName),
      logger: new Logger({ logLevel: 'SILENT' }),
      requiredScope: 'clients:manage:all',
      scopePrefix: '',
      protectedClientIds: [],
    };
    handlers = {
      scope: {
        create: createCreateScopeHandler(options),
        update: createUpdateScopeHandler(options),
        delete: createDeleteScopeHandler(options),
      },
      'identity-provider': {
        create: createCreateIdentityProviderHandler(options),
        update: createUpdateIdentityProviderHandler(options),
        delete: createDeleteIdentityProviderHandler(options),
      },
    };
    const api = useCases(dynamoDbStores(documents, tableName));
    await api.scopes.create({ id: SCOPE_IDS[0], name: 'orders:read' });
    await api.providers.create({ id: PROVIDER_IDS[0], name: 'Main directory' });
    await givenClient(
      options.clients,
      storedClient({
        authorized_scopes: [{ id: SCOPE_IDS[0] as string, name: 'orders:read', public: false }],
        identity_provider: { id: PROVIDER_IDS[0] as string, name: 'Main directory' },
      }),
    );
  });
  afterAll(async () => {
    documents?.destroy();
    await engine?.stop();
  });

  /** Every item but the links, which any request may tidy (stale links are deleted on sight). */
  async function items(): Promise<unknown[]> {
    const { Items = [] } = await documents.send(new ScanCommand({ TableName: tableName, ConsistentRead: true }));
    return Items.filter((item) => !String(item.pk).endsWith('_LINK')).sort((first, second) =>
      `${first.pk} ${first.sk}`.localeCompare(`${second.pk} ${second.sk}`),
    );
  }

  it(`never answers 5xx, and changes nothing on 4xx (${RESOURCE_REQUESTS} requests)`, async () => {
    await fc.assert(
      fc.asyncProperty(resourceRequest([...SCOPE_IDS, ...PROVIDER_IDS], NAMES), async (request) => {
        const before = await items();
        const collection = request.resource === 'scope' ? '/api/scopes' : '/api/identity-providers';
        const response = await handlers[request.resource][request.route](
          resourceEvent(request, collection),
          LAMBDA_CONTEXT,
        );
        statuses.set(response.statusCode, (statuses.get(response.statusCode) ?? 0) + 1);

        expect(response.statusCode, response.body).toBeLessThan(500);
        if (response.statusCode >= 400) expect(await items(), response.body).toEqual(before);
      }),
      { numRuns: RESOURCE_REQUESTS },
    );
    for (const status of [200, 201, 204, 400, 404, 422]) expect(statuses.get(status), `${status}`).toBeGreaterThan(0);
  }, 600_000);
});

function resourceEvent(request: ResourceRequest, collection: string): APIGatewayProxyEvent {
  const method = { create: 'POST', update: 'PATCH', delete: 'DELETE' }[request.route];
  const parameter = request.resource === 'scope' ? 'scope_id' : 'identity_provider_id';
  const item = request.route !== 'create';
  return {
    ...updateEvent({ method, rawBody: request.route === 'delete' ? null : request.body, authorizer: RESOURCE_ADMIN }),
    resource: item ? `${collection}/{${parameter}}` : collection,
    path: item ? `${collection}/${request.id}` : collection,
    pathParameters: item ? { [parameter]: request.id } : null,
  };
}
