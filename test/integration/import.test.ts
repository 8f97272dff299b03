import { generateKeyPairSync } from 'node:crypto';
import { beforeEach, describe, expect, it } from 'vitest';
import { prepareSeed, type SeedStores, writeSeed } from '../../bin/local/seed.js';
import type { Client } from '../../lambda/domain/client.js';
import { toClientView } from '../../lambda/domain/client-view.js';
import { importOrigin } from '../../lambda/domain/history-entry.js';
import type { LambdaHandler } from '../../lambda/http/api-handler.js';
import { createUpdateClientHandler } from '../../lambda/routes/update-client.js';
import { DynamoDbClientStore } from '../../lambda/store/dynamodb-client-store.js';
import { DynamoDbIdentityProviderStore } from '../../lambda/store/dynamodb-identity-provider-store.js';
import { DynamoDbScopeStore } from '../../lambda/store/dynamodb-scope-store.js';
import { IDENTITY_PROVIDER, SCOPE_OPENID, SEEDED, storedClient } from '../support/clients.js';
import { ENGINES, useEngine } from '../support/engines.js';
import { LAMBDA_CONTEXT, updateEvent } from '../support/events.js';
import { actionsOf, historyWithoutGaps } from '../support/history.js';
import { routeOptions } from '../support/routes.js';
import { newTable } from '../support/tables.js';

const IMPORTED = importOrigin('arn:aws:iam::123456789012:user/ops');
const CLIENT_IDS = Array.from(
  { length: 20 },
  (_, index) => `40000000-0000-4000-8000-${String(index).padStart(12, '0')}`,
);

describe.each(ENGINES)('import on %s', (_, startEngine) => {
  const suite = useEngine(startEngine);
  let store: DynamoDbClientStore;
  let stores: SeedStores;
  let update: LambdaHandler;

  beforeEach(async () => {
    const tableName = await newTable(suite.documents);
    store = new DynamoDbClientStore(suite.documents, tableName);
    stores = {
      clients: store,
      scopes: new DynamoDbScopeStore(suite.documents, tableName),
      identityProviders: new DynamoDbIdentityProviderStore(suite.documents, tableName),
    };
    update = createUpdateClientHandler(routeOptions(store));
  });

  const importing = (json: unknown) =>
    prepareSeed(json, { existingClient: async (id) => (await store.getClient(id))?.client });

  it('loses none of the API updates that race it: it writes only what the file gives, conditionally', async () => {
    await store.putIdentityProvider(IDENTITY_PROVIDER);
    for (const id of CLIENT_IDS) await store.putClient(storedClient({ id }), SEEDED);
    const seed = await importing({
      identity_providers: [IDENTITY_PROVIDER],
      clients: CLIENT_IDS.map((id, index) => ({
        id,
        name: `Imported ${index}`,
        identity_provider: { id: IDENTITY_PROVIDER.id },
      })),
    });
    // Admins change other fields of the same clients after the import has read them.
    const changes = (index: number) => [
      { access_token_ttl: 1000 + index },
      { redirect_uris: [`https://app${index}.example.com/cb`] },
      { pkce: true },
    ];
    const apiUpdates = CLIENT_IDS.flatMap((clientId, index) =>
      changes(index).map((client) => update(updateEvent({ clientId, body: { client } }), LAMBDA_CONTEXT)),
    );

    const [report, ...responses] = await Promise.all([writeSeed(stores, seed, IMPORTED), ...apiUpdates]);

    expect(responses.map((response) => response.statusCode)).toEqual(apiUpdates.map(() => 200));
    expect(report).toMatchObject({ clientsCreated: 0, clientsUpdated: 20, clientsUnchanged: 0 });
    for (const [index, id] of CLIENT_IDS.entries()) {
      const stored = await store.getClient(id);
      expect(stored?.client).toMatchObject({ name: `Imported ${index}`, ...Object.assign({}, ...changes(index)) });
      expect(stored?.version).toBe(5);
      // The seed, three API updates and the import, one entry each in whatever order they landed.
      const entries = await historyWithoutGaps(store, id);
      expect(entries.map((entry) => entry.action).sort()).toEqual([
        'imported',
        'imported',
        'updated',
        'updated',
        'updated',
      ]);
      const imported = entries.find((entry) => entry.action === 'imported' && entry.actor.sub !== 'test seed');
      expect(imported).toMatchObject({
        actor: { sub: 'arn:aws:iam::123456789012:user/ops', client_id: null, issuer: null },
        request_id: null,
        source_ip: null,
        changes: { name: { from: 'Demo client', to: `Imported ${index}` } },
      });
    }
  }, 120_000);

  it('creates clients through the create rules: given keys kept, others generated, an identity provider optional', async () => {
    const { publicKey, privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const keys = {
      public_key: publicKey.export({ type: 'spki', format: 'pem' }) as string,
      private_key: privateKey.export({ type: 'pkcs8', format: 'pem' }) as string,
    };
    const [withKeys, withoutProvider] = CLIENT_IDS;
    const seed = await importing({
      identity_providers: [IDENTITY_PROVIDER],
      scopes: [SCOPE_OPENID],
      clients: [
        {
          id: withKeys,
          identity_provider: { id: IDENTITY_PROVIDER.id },
          key_pair_type: { type: 'ec', curve: 'P-256' },
          id_token_signature_alg: 'ES256',
          did: 'did:key:zDnae',
          authorized_scopes: [{ id: SCOPE_OPENID.id }, { name: 'created:by-name' }],
          ...keys,
        },
        { id: withoutProvider, name: 'No provider', identity_provider: { id: null, name: null } },
      ],
    });

    const report = await writeSeed(stores, seed, IMPORTED);

    expect(report).toMatchObject({ clientsCreated: 2 });
    for (const id of [withKeys, withoutProvider] as string[]) {
      expect(actionsOf(await historyWithoutGaps(store, id))).toEqual([[1, 'imported']]);
    }
    // The given keys' entry holds their fingerprints, never the keys.
    const [created] = (await store.getHistory(withKeys as string)) ?? [];
    expect(created?.changes.private_key).toEqual({
      changed: true,
      from_fingerprint: null,
      to_fingerprint: expect.stringMatching(/^sha256:/),
    });
    expect(JSON.stringify(created)).not.toContain(keys.private_key);
    expect(JSON.stringify(created)).not.toContain(keys.public_key);
    const first = (await store.getClient(withKeys as string))?.client;
    expect(first).toMatchObject({ ...keys, did: 'did:key:zDnae', identity_provider: IDENTITY_PROVIDER });
    expect(first?.authorized_scopes.map((scope) => scope.name)).toEqual(['openid', 'created:by-name']);
    const second = (await store.getClient(withoutProvider as string))?.client as Client;
    expect(toClientView(second).identity_provider).toEqual({ id: null, name: null });
    expect(second?.public_key).toMatch(/^-----BEGIN PUBLIC KEY-----/);
    expect(second?.private_key).toMatch(/^-----BEGIN PRIVATE KEY-----/);
    expect(second?.secret).toMatch(/^[A-Za-z0-9]{86}$/);
  }, 60_000);

  it('updates the write-protected client too, and leaves a client the file already describes unchanged', async () => {
    await store.putIdentityProvider(IDENTITY_PROVIDER);
    const [id] = CLIENT_IDS as [string];
    await store.putClient(storedClient({ id, name: 'Admin UI' }), SEEDED);
    const file = (name: string) => ({ clients: [{ id, name }], protected_client_ids: [id] });

    expect(await writeSeed(stores, await importing(file('Admin UI')), IMPORTED)).toMatchObject({ clientsUnchanged: 1 });
    expect(await writeSeed(stores, await importing(file('Admin console')), IMPORTED)).toMatchObject({
      clientsUpdated: 1,
    });
    expect(await store.getClient(id)).toMatchObject({ client: { name: 'Admin console' }, version: 2 });
    // The import that changed nothing recorded nothing.
    expect(actionsOf(await historyWithoutGaps(store, id))).toEqual([
      [2, 'imported'],
      [1, 'imported'],
    ]);
  });
});

describe('seed files', () => {
  it.each([
    ['a scope name over 255 characters, as the API drops', 'x'.repeat(256)],
    ['a scope name with whitespace', 'has space'],
  ])('refuse %s, with the rule of the API', async (_, name) => {
    await expect(prepareSeed({ scopes: [{ ...SCOPE_OPENID, name }] }, { source: 'seed.json' })).rejects.toThrow(
      /^seed\.json: scopes\.0\.name must have no whitespace and at most 255 characters$/,
    );
  });

  it('accept a scope name of 255 characters', async () => {
    const seed = await prepareSeed({ scopes: [{ ...SCOPE_OPENID, name: 'x'.repeat(255) }] });

    expect(seed.scopes).toEqual([{ ...SCOPE_OPENID, name: 'x'.repeat(255) }]);
  });
});
