import { type DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb';
import { beforeEach, describe, expect, it } from 'vitest';
import { documentClientFor } from '../../bin/local/dynamodb-engines.js';
import type { Client } from '../../lambda/domain/client.js';
import type { HistoryField } from '../../lambda/domain/history-entry.js';
import type { LambdaHandler } from '../../lambda/http/api-handler.js';
import { createUpdateClientHandler } from '../../lambda/routes/update-client.js';
import { DynamoDbClientStore, itemKeys } from '../../lambda/store/dynamodb-client-store.js';
import {
  CLIENT_ID,
  IDENTITY_PROVIDER,
  OTHER_IDENTITY_PROVIDER,
  SCOPE_OPENID,
  SCOPE_PROFILE,
  SEEDED,
  storedClient,
} from '../support/clients.js';
import { ENGINES, useEngine } from '../support/engines.js';
import { type EventOptions, LAMBDA_CONTEXT, updateEvent } from '../support/events.js';
import { historyWithoutGaps } from '../support/history.js';
import { routeOptions } from '../support/routes.js';
import { newTable } from '../support/tables.js';

/** Fields, each with a value of its own for every round of updates. */
const FIELDS_WITH_A_VALUE_PER_ROUND: [string, (round: number) => unknown][] = [
  ['name', (round) => `name ${round}`],
  ['secret', (round) => `secret-${round}`],
  ['public_client_id', (round) => `public-${round}`],
  ['jwt_public_key', (round) => `jwk-${round}`],
  ['trusted_authorities', (round) => `https://ca${round}.example.com`],
  ['trusted_hosts', (round) => [`host${round}.example.com`]],
  ['redirect_uris', (round) => [`https://app${round}.example.com/cb`]],
  ['access_token_ttl', (round) => 100 + round],
  ['authorization_code_ttl', (round) => 200 + round],
  ['authorization_request_ttl', (round) => 100 + round],
  ['refresh_token_ttl', (round) => 400 + round],
  ['id_token_ttl', (round) => 500 + round],
];

/** How many times the client sent each DynamoDB command. */
function countCommands(client: DynamoDBDocumentClient): Map<string, number> {
  const counts = new Map<string, number>();
  client.middlewareStack.add(
    (next, context) => (args) => {
      counts.set(context.commandName as string, (counts.get(context.commandName as string) ?? 0) + 1);
      return next(args);
    },
    { step: 'initialize', name: 'commandCounter' },
  );
  return counts;
}

describe.each(ENGINES)('update on %s', (_, startEngine) => {
  const suite = useEngine(startEngine);
  let tableName: string;
  let store: DynamoDbClientStore;
  let handler: LambdaHandler;

  beforeEach(async () => {
    tableName = await newTable(suite.documents);
    store = new DynamoDbClientStore(suite.documents, tableName);
    handler = createUpdateClientHandler(routeOptions(store));
    await Promise.all([
      store.putIdentityProvider(IDENTITY_PROVIDER),
      store.putIdentityProvider(OTHER_IDENTITY_PROVIDER),
      store.putScope(SCOPE_OPENID),
      store.putScope(SCOPE_PROFILE),
      store.putClient(storedClient(), SEEDED),
    ]);
  });

  async function update(options: EventOptions) {
    const response = await handler(updateEvent(options), LAMBDA_CONTEXT);
    return { status: response.statusCode, headers: response.headers ?? {}, json: JSON.parse(response.body) };
  }

  async function storedItem(id = CLIENT_ID) {
    const { Item } = await suite.documents.send(
      new GetCommand({ TableName: tableName, Key: itemKeys.client(id), ConsistentRead: true }),
    );
    return Item;
  }

  it('changes only the fields sent and bumps the version', async () => {
    const before = await storedItem();

    const response = await update({ body: { client: { name: 'Renamed', pkce: 'true' } } });

    expect(response.status).toBe(200);
    expect(response.headers.ETag).toBe('"2"');
    // The change, and in the same item its history entry, in slot 2 of 50.
    expect(await storedItem()).toEqual({
      ...before,
      name: 'Renamed',
      pkce: true,
      version: 2,
      history_2: {
        version: 2,
        at: expect.any(String),
        action: 'updated',
        actor: { sub: 'admin', client_id: 'admin-ui', issuer: 'https://issuer.example.com/' },
        request_id: 'request-1',
        source_ip: '203.0.113.7',
        changes: { name: { from: 'Demo client', to: 'Renamed' }, pkce: { from: false, to: true } },
      },
    });
  });

  it('stores, shows and records a key type whose extras are named like Object members (constructor, toString)', async () => {
    const keyPairType = { type: 'rsa', modulus_size: '2048', exponent_size: '65537', constructor: 'B', toString: 'x' };
    const before = await storedItem();

    const response = await update({ method: 'PUT', body: { client: { key_pair_type: keyPairType } } });

    expect(response.status).toBe(200);
    expect(response.json.data.key_pair_type).toEqual(keyPairType);
    // A map's keys come back in any order (DynamoDB Local sorts them).
    const after = (await storedItem()) as Record<string, unknown>;
    expect(after.key_pair_type).toEqual(keyPairType);
    expect(after.history_2).toMatchObject({
      changes: { key_pair_type: { from: (before as Record<string, unknown>).key_pair_type, to: keyPairType } },
    });
  });

  it('keeps the scopes when authorized_scopes is absent and clears them with []', async () => {
    await update({ body: { client: { name: 'x' } } });
    expect((await storedItem())?.authorized_scopes).toEqual([SCOPE_OPENID]);

    await update({ body: { client: { authorized_scopes: [] } } });
    expect((await storedItem())?.authorized_scopes).toEqual([]);
  });

  it('attaches scopes by id and by name, creating an unknown name once', async () => {
    const response = await update({
      body: { client: { authorized_scopes: [{ id: SCOPE_PROFILE.id }, { name: 'openid' }, { name: 'orders:read' }] } },
    });

    expect(response.status).toBe(200);
    const [profile, openid, created] = response.json.data.authorized_scopes;
    expect([profile, openid]).toEqual([SCOPE_PROFILE, SCOPE_OPENID]);
    expect(created).toEqual({ id: expect.any(String), name: 'orders:read', public: false });
    expect((await storedItem())?.authorized_scopes).toEqual([SCOPE_PROFILE, SCOPE_OPENID, created]);

    const again = await update({ body: { client: { authorized_scopes: [{ name: 'orders:read' }] } } });
    expect(again.json.data.authorized_scopes).toEqual([created]);
    const reads = await store.readForUpdate(CLIENT_ID, {
      identityProviderIds: [],
      scopeIds: [created.id],
      scopeNames: [],
    });
    expect(reads.lookups.scopesById.get(created.id)).toEqual(created);
  });

  it('replaces the identity provider', async () => {
    const response = await update({ body: { client: { identity_provider: { id: OTHER_IDENTITY_PROVIDER.id } } } });

    expect(response.json.data.identity_provider).toEqual(OTHER_IDENTITY_PROVIDER);
    expect((await storedItem())?.identity_provider).toEqual(OTHER_IDENTITY_PROVIDER);
  });

  it.each([
    [
      'an unknown identity provider',
      { identity_provider: { id: '00000000-0000-4000-8000-000000000000' }, name: 'x' },
      { identity_provider_id: ['does not exist'] },
    ],
    [
      'invalid fields',
      { name: 'x', access_token_ttl: 0, authorized_scopes: [{ name: 'never:created' }] },
      { access_token_ttl: ['is invalid'] },
    ],
  ])('answers 422 for %s and leaves the item exactly as it was', async (_, client, errors) => {
    const before = await storedItem();

    const response = await update({ body: { client } });

    expect(response.status).toBe(422);
    expect(response.json.errors).toEqual(errors);
    expect(await storedItem()).toEqual(before);
    const reads = await store.readForUpdate(CLIENT_ID, {
      identityProviderIds: [],
      scopeIds: [],
      scopeNames: ['never:created'],
    });
    expect(reads.lookups.scopesByName.size).toBe(0);
  });

  it('reads past references that can name no item, such as an empty scope name', async () => {
    const reads = await store.readForUpdate(CLIENT_ID, {
      identityProviderIds: [''],
      scopeIds: [],
      scopeNames: ['', 'openid'],
    });

    expect(reads.client?.client.id).toBe(CLIENT_ID);
    expect([...reads.lookups.scopesByName.keys()]).toEqual(['openid']);
  });

  it('answers 404 for an unknown client and creates nothing', async () => {
    const unknown = '00000000-0000-4000-8000-000000000001';

    const response = await update({ clientId: unknown, body: { client: { name: 'x' } } });

    expect(response.status).toBe(404);
    expect(await storedItem(unknown)).toBeUndefined();
  });

  it('keeps all of 20 concurrent updates of different fields', async () => {
    const changes: Partial<Client>[] = [
      { name: 'concurrent' },
      { secret: 'concurrent-secret' },
      { public_client_id: 'public-id' },
      { jwt_public_key: 'jwk' },
      { confidential: true },
      { check_public_client_id: true },
      { public_refresh_token: true },
      { public_revoke: true },
      { authorize_scope: true },
      { enforce_dpop: true },
      { enforce_tx_code: true },
      { pkce: true },
      { access_token_ttl: 11 },
      { authorization_code_ttl: 12 },
      { authorization_request_ttl: 13 },
      { refresh_token_ttl: 14 },
      { id_token_ttl: 15 },
      { trusted_authorities: 'https://ca.example.com' },
      { trusted_hosts: ['host.example.com'] },
      { redirect_uris: ['https://other.example.com/cb'] },
    ];

    const responses = await Promise.all(changes.map((client) => update({ body: { client } })));

    expect(responses.map((response) => response.status)).toEqual(changes.map(() => 200));
    expect(await storedItem()).toMatchObject({ ...Object.assign({}, ...changes), version: 1 + changes.length });
  });

  it('loses none of 50 concurrent updates: the item is their serial application in version order', async () => {
    // Each value differs from the stored one and from the field's others, so that every update
    // changes the client whatever the order (an update that changes nothing writes nothing).
    const rounds = (count: number, value: (round: number) => unknown) =>
      Array.from({ length: count }, (_, round) => value(round));
    const fields: [string, unknown[]][] = [
      ['name', rounds(3, (round) => `name ${round}`)],
      ['secret', rounds(3, (round) => `secret-${round}`)],
      ['public_client_id', rounds(3, (round) => `public-${round}`)],
      ['jwt_public_key', rounds(3, (round) => `jwk-${round}`)],
      ['trusted_authorities', rounds(3, (round) => `https://ca${round}.example.com`)],
      ['trusted_hosts', rounds(3, (round) => [`host${round}.example.com`])],
      ['redirect_uris', rounds(3, (round) => [`https://app${round}.example.com/cb`])],
      ['confidential', [true]],
      ['check_public_client_id', [true]],
      ['public_refresh_token', [true]],
      ['public_revoke', [true]],
      ['authorize_scope', [true]],
      ['enforce_dpop', [true]],
      ['enforce_tx_code', [true]],
      ['pkce', [true]],
      ['access_token_ttl', rounds(2, (round) => 100 + round)],
      ['authorization_code_ttl', rounds(2, (round) => 200 + round)],
      ['authorization_request_ttl', rounds(2, (round) => 100 + round)],
      ['refresh_token_ttl', rounds(2, (round) => 400 + round)],
      ['id_token_ttl', rounds(2, (round) => 500 + round)],
      ['response_mode', ['post']],
      ['token_endpoint_jwt_auth_alg', ['RS256', 'HS512']],
      ['token_endpoint_auth_methods', [['private_key_jwt'], ['client_secret_jwt']]],
      ['supported_grant_types', [['password'], ['implicit']]],
      ['userinfo_signed_response_alg', ['RS256', 'HS256']],
      ['id_token_signature_alg', ['RS256', 'RS384']],
    ];
    const changes = fields.flatMap(([field, values]) => values.map((value) => ({ [field]: value })));
    expect(changes).toHaveLength(50);

    const responses = await Promise.all(changes.map((client) => update({ body: { client } })));

    expect(responses.map((response) => response.status)).toEqual(changes.map(() => 200));
    const byVersion = responses
      .map((response, index) => ({
        version: Number(JSON.parse(response.headers.ETag as string)),
        change: changes[index],
      }))
      .sort((first, second) => first.version - second.version);
    expect(byVersion.map(({ version }) => version)).toEqual(changes.map((_, index) => index + 2));
    expect(await storedItem()).toMatchObject({
      ...Object.assign({}, ...byVersion.map(({ change }) => change)),
      version: 51,
    });
    // One entry per version, each recording the change of the update that answered that version
    // (from what the one before left): lost races recorded nothing.
    const entries = (await historyWithoutGaps(store, CLIENT_ID)).reverse();
    for (const [index, entry] of entries.entries()) {
      const { version, change } = byVersion[index] as { version: number; change: Record<string, unknown> };
      const [field] = Object.keys(change) as [HistoryField];
      expect(entry).toMatchObject({ version, action: 'updated' });
      expect(Object.keys(entry.changes)).toEqual([field]);
      if (field !== 'secret') expect(entry.changes[field]).toMatchObject({ to: change[field] });
    }
  });

  it('answers no 409 to writers of different fields on one busy client, keeps every change, and pays each lost race with one write', async () => {
    const writers = FIELDS_WITH_A_VALUE_PER_ROUND.slice(0, 10);
    const rounds = 6;
    const writes = writers.length * rounds;
    const counted = documentClientFor(suite.engine.endpoint);
    const commands = countCommands(counted);
    const racing = createUpdateClientHandler(routeOptions(new DynamoDbClientStore(counted, tableName)));
    const statuses = new Map<number, number>();
    const versions: number[] = [];

    // Each writer sends its next update as soon as the last one is answered: every write races.
    await Promise.all(
      writers.map(async ([field, value]) => {
        for (let round = 0; round < rounds; round += 1) {
          const response = await racing(updateEvent({ body: { client: { [field]: value(round) } } }), LAMBDA_CONTEXT);
          statuses.set(response.statusCode, (statuses.get(response.statusCode) ?? 0) + 1);
          if (response.statusCode === 200) versions.push(Number(JSON.parse(response.headers?.ETag as string)));
        }
      }),
    );
    counted.destroy();

    expect(Object.fromEntries(statuses)).toEqual({ 200: writes });
    expect(versions.sort((first, second) => first - second)).toEqual(
      Array.from({ length: writes }, (_, index) => index + 2),
    );
    expect(await storedItem()).toMatchObject({
      ...Object.fromEntries(writers.map(([field, value]) => [field, value(rounds - 1)])),
      version: 1 + writes,
    });
    // Every write that landed recorded one entry, every race it lost none.
    const entries = await historyWithoutGaps(store, CLIENT_ID);
    expect(entries.every((entry) => entry.action === 'updated' && Object.keys(entry.changes).length === 1)).toBe(true);
    const lostRaces = (commands.get('UpdateItemCommand') ?? 0) - writes;
    expect(lostRaces).toBeGreaterThan(0);
    expect(commands.get('BatchGetItemCommand')).toBe(writes);
    // DynamoDB returns the winning item with the failed write; dynalite ignores the request.
    expect(commands.get('GetItemCommand') ?? 0).toBe(suite.engine.name === 'dynalite' ? lostRaces : 0);
  });

  it('answers 422 naming the field, and writes nothing, when an update would push an imported client past 400 KB', async () => {
    await store.putClient(storedClient({ jwt_public_key: 'k'.repeat(380 * 1024) }), SEEDED);
    const before = await storedItem();
    const uris = Array.from({ length: 100 }, (_, index) => `https://app${index}.example.com/${'p'.repeat(200)}`);

    const response = await update({ body: { client: { redirect_uris: uris } } });

    expect(response.json).toEqual({
      code: 'UNPROCESSABLE_ENTITY',
      message: 'Your request could not be processed.',
      errors: { redirect_uris: ['would make the client larger than the 400 KB a stored item may hold'] },
    });
    expect(await storedItem()).toEqual(before);
  });

  it('answers 422 and creates no scope when the links to new scope names would push the client past 400 KB', async () => {
    await store.putClient(storedClient({ jwt_public_key: 'k'.repeat(395 * 1024) }), SEEDED);
    const before = await storedItem();
    const names = Array.from({ length: 20 }, (_, index) => ({ name: `new:${index}:${'n'.repeat(200)}` }));

    const response = await update({ body: { client: { authorized_scopes: names } } });

    expect(response.status).toBe(422);
    expect(response.json.errors).toEqual({
      authorized_scopes: ['would make the client larger than the 400 KB a stored item may hold'],
    });
    expect(await storedItem()).toEqual(before);
    const scopeItems = await Promise.all(
      names.map(({ name }) =>
        suite.documents.send(
          new GetCommand({ TableName: tableName, Key: itemKeys.scopeName(name), ConsistentRead: true }),
        ),
      ),
    );
    expect(scopeItems.filter(({ Item }) => Item)).toEqual([]);
  });

  it('answers 412 when If-Match names another version, and writes nothing', async () => {
    await update({ body: { client: { name: 'first' } } });
    const before = await storedItem();

    const stale = await update({ headers: { 'If-Match': '"1"' }, body: { client: { name: 'stale' } } });
    const current = await update({ headers: { 'If-Match': '"2"' }, body: { client: { name: 'current' } } });

    expect(stale.status).toBe(412);
    expect(stale.json).toEqual({
      code: 'PRECONDITION_FAILED',
      message: 'The resource does not match the version given in If-Match.',
    });
    expect(before).toMatchObject({ name: 'first', version: 2 });
    expect(current.status).toBe(200);
    expect(await storedItem()).toMatchObject({ name: 'current', version: 3 });
  });

  it('lets exactly one of 50 updates with the same If-Match win', async () => {
    const responses = await Promise.all(
      Array.from({ length: 50 }, (_, index) =>
        update({ headers: { 'If-Match': '"1"' }, body: { client: { name: `writer ${index}` } } }),
      ),
    );

    const statuses = responses.map((response) => response.status).sort();
    expect(statuses).toEqual([200, ...Array(49).fill(412)]);
    expect((await storedItem())?.version).toBe(2);
  });

  it('creates one scope when concurrent updates create the same name', async () => {
    const clientIds = Array.from(
      { length: 20 },
      (_, index) => `00000000-0000-4000-8000-0000000001${String(index).padStart(2, '0')}`,
    );
    await Promise.all(clientIds.map((id) => store.putClient(storedClient({ id }), SEEDED)));

    const responses = await Promise.all(
      clientIds.map((clientId) =>
        update({ clientId, body: { client: { authorized_scopes: [{ name: 'shared:scope' }] } } }),
      ),
    );

    const ids = new Set(responses.map((response) => response.json.data.authorized_scopes[0].id));
    expect(ids.size).toBe(1);
    const [id] = ids;
    const reads = await store.readForUpdate(CLIENT_ID, {
      identityProviderIds: [],
      scopeIds: [id as string],
      scopeNames: ['shared:scope'],
    });
    expect(reads.lookups.scopesByName.get('shared:scope')?.id).toBe(id);
    expect(reads.lookups.scopesById.get(id as string)?.name).toBe('shared:scope');
  });
});
