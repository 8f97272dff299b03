import { Logger } from '@aws-lambda-powertools/logger';
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import type { APIGatewayProxyEvent } from 'aws-lambda';
import { beforeEach, describe, expect, it } from 'vitest';
import type { LambdaHandler } from '../../lambda/http/api-handler.js';
import { createGetClientHistoryHandler } from '../../lambda/routes/client-history.js';
import {
  createCreateClientHandler,
  createDeleteClientHandler,
  createGetClientHandler,
  createListClientsHandler,
  createRegenerateDidHandler,
  createRegenerateKeyPairHandler,
} from '../../lambda/routes/client-routes.js';
import { createUpdateIdentityProviderHandler } from '../../lambda/routes/identity-provider-routes.js';
import type { ResourceRouteOptions } from '../../lambda/routes/named-resource-routes.js';
import { createDeleteScopeHandler, createUpdateScopeHandler } from '../../lambda/routes/scope-routes.js';
import { createUpdateClientHandler } from '../../lambda/routes/update-client.js';
import { type ClientStoreSettings, DynamoDbClientStore, itemKeys } from '../../lambda/store/dynamodb-client-store.js';
import { DynamoDbIdentityProviderStore } from '../../lambda/store/dynamodb-identity-provider-store.js';
import { DynamoDbScopeStore } from '../../lambda/store/dynamodb-scope-store.js';
import { IDENTITY_PROVIDER, SCOPE_OPENID, SCOPE_PROFILE } from '../support/clients.js';
import { ENGINES, useEngine } from '../support/engines.js';
import { ADMIN_AUTHORIZER, apiEvent, type EventOptions, LAMBDA_CONTEXT } from '../support/events.js';
import { actionsOf, historyWithoutGaps } from '../support/history.js';
import { routeOptions } from '../support/routes.js';
import { newTable } from '../support/tables.js';

const CLIENT = '7c1d0e2f-3a4b-4c5d-8e6f-7a8b9c0d1e2f';
const PROTECTED = '00000000-0000-4000-8000-000000000001';
const ADMIN_ACTOR = { sub: 'admin', client_id: 'admin-ui', issuer: 'https://issuer.example.com/' };
/** Another person, with another token: the scopes' and providers' administrator. */
const SCOPE_ADMIN = {
  ...ADMIN_AUTHORIZER,
  sub: 'scope-admin',
  client_id: 'ops-console',
  scope: 'scopes:manage:all identity-providers:manage:all',
};
const DAY_MS = 86_400_000;

type Route =
  | 'create'
  | 'get'
  | 'list'
  | 'update'
  | 'delete'
  | 'keys'
  | 'did'
  | 'history'
  | 'scope-update'
  | 'scope-delete'
  | 'provider-update';

describe.each(ENGINES)('change history on %s', (_, startEngine) => {
  const engine = useEngine(startEngine);
  let table: string;
  let store: DynamoDbClientStore;
  let routes: Record<Route, LambdaHandler>;

  /** The routes over a table, with the store's history settings (and clock) given. */
  function routesOver(settings: ClientStoreSettings = {}): Record<Route, LambdaHandler> {
    const clients = new DynamoDbClientStore(engine.documents, table, settings);
    const options = routeOptions(clients, { protectedClientIds: [PROTECTED] });
    const resources: ResourceRouteOptions = {
      clients,
      scopes: new DynamoDbScopeStore(engine.documents, table),
      identityProviders: new DynamoDbIdentityProviderStore(engine.documents, table),
      logger: new Logger({ logLevel: 'SILENT' }),
      requiredScope: 'clients:manage:all',
      scopePrefix: '',
      protectedClientIds: [PROTECTED],
    };
    return {
      create: createCreateClientHandler(options),
      get: createGetClientHandler(options),
      list: createListClientsHandler(options),
      update: createUpdateClientHandler(options),
      delete: createDeleteClientHandler(options),
      keys: createRegenerateKeyPairHandler(options),
      did: createRegenerateDidHandler(options),
      history: createGetClientHistoryHandler(options),
      'scope-update': createUpdateScopeHandler(resources),
      'scope-delete': createDeleteScopeHandler(resources),
      'provider-update': createUpdateIdentityProviderHandler(resources),
    };
  }

  beforeEach(async () => {
    table = await newTable(engine.documents);
    store = new DynamoDbClientStore(engine.documents, table);
    routes = routesOver();
    await Promise.all([
      store.putIdentityProvider(IDENTITY_PROVIDER),
      store.putScope(SCOPE_OPENID),
      store.putScope(SCOPE_PROFILE),
    ]);
  });

  async function call(route: Route, options: EventOptions, over = routes) {
    const response = await over[route](apiEvent({ clientId: CLIENT, ...options }), LAMBDA_CONTEXT);
    return { status: response.statusCode, json: response.body ? JSON.parse(response.body) : undefined };
  }

  /** A scope or identity provider route's event, sent by the scope administrator. */
  function resourceEvent(method: string, path: string, parameter: string, id: string, body?: unknown) {
    const event = apiEvent({ method, authorizer: SCOPE_ADMIN, body, rawBody: body === undefined ? null : undefined });
    return { ...event, path, resource: path, pathParameters: { [parameter]: id } } as APIGatewayProxyEvent;
  }

  const createClient = (over = routes) =>
    call(
      'create',
      {
        method: 'POST',
        collection: true,
        body: {
          client: {
            id: CLIENT,
            name: 'Billing',
            identity_provider: { id: IDENTITY_PROVIDER.id },
            authorized_scopes: [{ id: SCOPE_OPENID.id }],
            key_pair_type: { type: 'ec', curve: 'P-256' },
            id_token_signature_alg: 'ES256',
          },
        },
      },
      over,
    );
  const history = (query?: Record<string, string>, over = routes) =>
    call('history', { method: 'GET', action: '/history', rawBody: null, query }, over);

  it('records one entry per version for every client write route, with its action, actor, request and source', async () => {
    const created = await createClient();
    const secret = created.json.data.secret as string;
    const firstPublicKey = created.json.data.public_key as string;
    const firstPrivateKey = (await store.getClient(CLIENT))?.client.private_key as string;
    await call('update', { method: 'PUT', body: { client: { name: 'Billing v2', secret: 'chosen-secret-value' } } });
    await call('update', { method: 'PATCH', body: { client: { redirect_uris: ['https://billing.example.com/cb'] } } });
    const regenerated = await call('keys', { method: 'POST', action: '/regenerate_key_pair', rawBody: null });
    const secondPrivateKey = (await store.getClient(CLIENT))?.client.private_key as string;
    const derived = await call('did', { method: 'POST', action: '/regenerate_did', rawBody: null });
    const shown = await history();
    await call('delete', { method: 'DELETE', rawBody: null });

    const response = await history();

    expect(response.status).toBe(200);
    expect(actionsOf(response.json.data)).toEqual([
      [6, 'deleted'],
      [5, 'did_regenerated'],
      [4, 'key_pair_regenerated'],
      [3, 'updated'],
      [2, 'updated'],
      [1, 'created'],
    ]);
    expect(response.json.next_cursor).toBeNull();
    // What was shown before the delete is still there, the delete on top.
    expect(response.json.data.slice(1)).toEqual(shown.json.data);
    for (const entry of response.json.data) {
      expect(entry).toMatchObject({ actor: ADMIN_ACTOR, request_id: 'request-1', source_ip: '203.0.113.7' });
    }
    const [deleted, did, keys, patched, put, create] = response.json.data;
    expect(create.changes.name).toEqual({ from: null, to: 'Billing' });
    expect(put.changes).toEqual({
      name: { from: 'Billing', to: 'Billing v2' },
      secret: { changed: true, from_fingerprint: expect.any(String), to_fingerprint: expect.any(String) },
    });
    expect(patched.changes).toEqual({ redirect_uris: { from: [], to: ['https://billing.example.com/cb'] } });
    expect(Object.keys(keys.changes).sort()).toEqual(['private_key', 'public_key']);
    expect(Object.keys(did.changes)).toEqual(['did']);
    expect(did.changes).toEqual({ did: { from: null, to: derived.json.data.did } });
    expect(deleted.changes.name).toEqual({ from: 'Billing v2', to: null });
    // Never a secret or a key in clear, in any entry.
    const recorded = JSON.stringify(response.json);
    for (const value of [secret, 'chosen-secret-value', firstPublicKey, firstPrivateKey, secondPrivateKey]) {
      expect(recorded).not.toContain(value);
    }
    expect(recorded).not.toContain(regenerated.json.data.public_key);
  });

  it('records nothing for a request refused with a 4xx', async () => {
    await createClient();
    const before = await history();

    const refused = await Promise.all([
      call('update', { method: 'PUT', body: { client: { access_token_ttl: -1 } } }),
      call('update', { method: 'PUT', headers: { 'If-Match': '"9"' }, body: { client: { name: 'x' } } }),
      call('update', { method: 'PUT', rawBody: '{"client":' }),
      call('update', { method: 'PUT', clientId: PROTECTED, body: { client: { name: 'x' } } }),
      call('delete', { method: 'DELETE', headers: { 'If-Match': '"9"' }, rawBody: null }),
      call('keys', {
        method: 'POST',
        clientId: '90000000-0000-4000-8000-000000000009',
        action: '/regenerate_key_pair',
      }),
      call('create', { method: 'POST', collection: true, body: { client: { id: CLIENT } } }),
      // Changes nothing: answered 200, and no version, no entry.
      call('update', { method: 'PATCH', body: { client: { name: 'Billing' } } }),
    ]);

    expect(refused.map((response) => response.status)).toEqual([422, 412, 400, 404, 412, 404, 422, 200]);
    expect(await history()).toEqual(before);
    expect(before.json.data).toHaveLength(1);
  });

  it('treats a deleted client as gone, keeps its history readable, and its id taken until the retention is over', async () => {
    await createClient();
    await call('update', { method: 'PATCH', body: { client: { name: 'Renamed' } } });
    expect((await call('delete', { method: 'DELETE', rawBody: null })).status).toBe(204);

    expect((await call('get', { method: 'GET', rawBody: null })).status).toBe(404);
    expect((await call('list', { method: 'GET', collection: true, rawBody: null })).json).toEqual({ data: [] });
    expect((await call('update', { method: 'PATCH', body: { client: { name: 'x' } } })).status).toBe(404);
    expect((await call('keys', { method: 'POST', action: '/regenerate_key_pair', rawBody: null })).status).toBe(404);
    expect((await call('did', { method: 'POST', action: '/regenerate_did', rawBody: null })).status).toBe(404);
    expect((await call('delete', { method: 'DELETE', rawBody: null })).status).toBe(404);
    expect(await createClient()).toMatchObject({ status: 422, json: { errors: { id: ['has already been taken'] } } });
    expect(actionsOf((await history()).json.data)).toEqual([
      [3, 'deleted'],
      [2, 'updated'],
      [1, 'created'],
    ]);
    // The tombstone holds no field of the client, secrets included: only its history.
    expect(await store.getClient(CLIENT)).toBeUndefined();

    // A year and a day later: local engines have no TTL, the API counts the tombstone as gone.
    const later = routesOver({ now: () => new Date(Date.now() + 366 * DAY_MS) });
    expect(await history(undefined, later)).toMatchObject({ status: 404 });
    expect(await createClient(later)).toMatchObject({ status: 201 });
    expect(actionsOf((await history(undefined, later)).json.data)).toEqual([[1, 'created']]);
  });

  it('keeps a deleted client for the retention set: HISTORY_RETENTION_DAYS', async () => {
    const shortRetention = routesOver({ historyRetentionDays: 7 });
    await createClient(shortRetention);
    await call('delete', { method: 'DELETE', rawBody: null }, shortRetention);

    const eightDaysLater = routesOver({ now: () => new Date(Date.now() + 8 * DAY_MS) });
    expect(await history(undefined, shortRetention)).toMatchObject({ status: 200 });
    expect(await history(undefined, eightDaysLater)).toMatchObject({ status: 404 });
  });

  it('records the rename, public change and delete of a scope, and the rename of a provider, as their requests made them', async () => {
    await createClient();
    const scopePath = `/api/scopes/${SCOPE_OPENID.id}`;
    const renameScope = await routes['scope-update'](
      resourceEvent('PATCH', scopePath, 'scope_id', SCOPE_OPENID.id, { scope: { name: 'openid:v2' } }),
      LAMBDA_CONTEXT,
    );
    const makePrivate = await routes['scope-update'](
      resourceEvent('PATCH', scopePath, 'scope_id', SCOPE_OPENID.id, { scope: { public: false } }),
      LAMBDA_CONTEXT,
    );
    const renameProvider = await routes['provider-update'](
      resourceEvent(
        'PUT',
        `/api/identity-providers/${IDENTITY_PROVIDER.id}`,
        'identity_provider_id',
        IDENTITY_PROVIDER.id,
        { identity_provider: { name: 'Staff' } },
      ),
      LAMBDA_CONTEXT,
    );
    const deleteScope = await routes['scope-delete'](
      resourceEvent('DELETE', scopePath, 'scope_id', SCOPE_OPENID.id),
      LAMBDA_CONTEXT,
    );

    expect([renameScope, makePrivate, renameProvider, deleteScope].map((response) => response.statusCode)).toEqual([
      200, 200, 200, 204,
    ]);
    const entries = await historyWithoutGaps(store, CLIENT);
    expect(actionsOf(entries)).toEqual([
      [5, 'scope_deleted'],
      [4, 'identity_provider_renamed'],
      [3, 'scope_renamed'],
      [2, 'scope_renamed'],
      [1, 'created'],
    ]);
    const renamed = { ...SCOPE_OPENID, name: 'openid:v2' };
    expect(entries.map((entry) => entry.changes)).toEqual([
      { authorized_scopes: { from: [{ ...renamed, public: false }], to: [] } },
      { identity_provider: { from: IDENTITY_PROVIDER, to: { ...IDENTITY_PROVIDER, name: 'Staff' } } },
      { authorized_scopes: { from: [renamed], to: [{ ...renamed, public: false }] } },
      { authorized_scopes: { from: [SCOPE_OPENID], to: [renamed] } },
      expect.anything(),
    ]);
    for (const entry of entries.slice(0, 4)) {
      expect(entry.actor).toEqual({ sub: 'scope-admin', client_id: 'ops-console', issuer: ADMIN_ACTOR.issuer });
    }
  });

  it('clears the slots past a lowered capacity through the API’s own updates, once their entries leave the window', async () => {
    const large = routesOver({ historyCapacity: 6 });
    await createClient(large);
    for (const name of ['a', 'b', 'c', 'd']) {
      await call('update', { method: 'PATCH', body: { client: { name } } }, large);
    }
    const slots = async () =>
      Object.keys(
        (await engine.documents.send(new GetCommand({ TableName: table, Key: itemKeys.client(CLIENT) }))).Item ?? {},
      )
        .filter((attribute) => attribute.startsWith('history_'))
        .sort();
    const small = routesOver({ historyCapacity: 3 });

    expect(await slots()).toEqual(['history_1', 'history_2', 'history_3', 'history_4', 'history_5']);
    for (const name of ['e', 'f', 'g']) {
      await call('update', { method: 'PATCH', body: { client: { name } } }, small);
    }

    expect(await slots()).toEqual(['history_0', 'history_1', 'history_2']);
    expect(actionsOf((await history({}, small)).json.data)).toEqual([
      [8, 'updated'],
      [7, 'updated'],
      [6, 'updated'],
    ]);
  });

  it('keeps the last N entries (HISTORY_CAPACITY), one per version, and pages them', async () => {
    const small = routesOver({ historyCapacity: 3 });
    await createClient(small);
    for (const name of ['a', 'b', 'c', 'd']) {
      await call('update', { method: 'PATCH', body: { client: { name } } }, small);
    }

    const first = await history({ limit: '2' }, small);
    const second = await history({ limit: '2', cursor: first.json.next_cursor }, small);

    expect(actionsOf(first.json.data)).toEqual([
      [5, 'updated'],
      [4, 'updated'],
    ]);
    expect(second.json).toEqual({ data: [expect.objectContaining({ version: 3 })], next_cursor: null });
  });
});
