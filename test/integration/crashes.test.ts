import { beforeEach, describe, expect, it } from 'vitest';
import {
  ADMIN_ORIGIN,
  CLIENT_ID,
  IDENTITY_PROVIDER,
  OTHER_IDENTITY_PROVIDER,
  storedClient,
} from '../support/clients.js';
import { ENGINES, useEngine } from '../support/engines.js';
import { Crash, crashing } from '../support/interruptions.js';
import { dynamoDbStores, givenClient, type Stores, useCases } from '../support/resources.js';
import { newTable } from '../support/tables.js';

const ORDERS = { id: '0b0b0b0b-0000-4000-8000-000000000001', name: 'orders:read', public: false };
const OTHER_CLIENT = '0c0c0c0c-0000-4000-8000-000000000002';

/**
 * A request that dies between two of its steps (the next store call fails as a crash would),
 * then the same request sent again: it must complete what the first began.
 */
describe.each(ENGINES)('requests interrupted halfway, then sent again, on %s', (_, startEngine) => {
  const engine = useEngine(startEngine);
  let stores: Stores;
  let api: ReturnType<typeof useCases>;

  beforeEach(async () => {
    stores = dynamoDbStores(engine.documents, await newTable(engine.documents));
    api = useCases(stores);
    expect((await api.scopes.create(ORDERS)).status).toBe('ok');
    expect((await api.providers.create(IDENTITY_PROVIDER)).status).toBe('ok');
    expect((await api.providers.create(OTHER_IDENTITY_PROVIDER)).status).toBe('ok');
    for (const id of [CLIENT_ID, OTHER_CLIENT]) {
      await givenClient(stores.clients, storedClient({ id, authorized_scopes: [ORDERS] }));
    }
  });

  const copiesOf = async (id: string) => (await stores.clients.getClient(id))?.client.authorized_scopes;
  const crashedAt = (partial: Partial<Stores>) => useCases({ ...stores, ...partial });

  describe('scope rename', () => {
    it.each([
      ['before the scope is written, with the new name reserved', 'scopes', 'update'],
      ['after the scope is written, before its copies', 'clients', 'linksTo'],
      ['halfway through the copies', 'clients', 'writePatch'],
      ['after the copies, before the scope knows', 'scopes', 'clearCopiesPending'],
    ] as const)('is completed by a retry when interrupted %s', async (_, kind, step) => {
      const store = kind === 'scopes' ? crashing(stores.scopes, step as 'update') : stores.scopes;
      const clients = kind === 'clients' ? crashing(stores.clients, step as 'linksTo') : stores.clients;
      await expect(
        crashedAt({ scopes: store, clients }).scopes.update(ORDERS.id, { name: 'orders:write' }, ADMIN_ORIGIN),
      ).rejects.toThrow(Crash);

      expect(await api.scopes.update(ORDERS.id, { name: 'orders:write' }, ADMIN_ORIGIN)).toMatchObject({
        status: 'ok',
        resource: { record: { name: 'orders:write' }, copiesPending: false },
      });
      const renamed = { ...ORDERS, name: 'orders:write' };
      expect(await copiesOf(CLIENT_ID)).toEqual([renamed]);
      expect(await copiesOf(OTHER_CLIENT)).toEqual([renamed]);
      expect((await stores.scopes.get(ORDERS.id))?.copiesPending).toBe(false);
      expect(await api.scopes.create({ name: 'orders:write' })).toMatchObject({ status: 'invalid' });
    });

    it('leaves the old name to the next claim when interrupted before freeing it', async () => {
      await expect(
        crashedAt({ scopes: crashing(stores.scopes, 'releaseName') }).scopes.update(
          ORDERS.id,
          {
            name: 'orders:write',
          },
          ADMIN_ORIGIN,
        ),
      ).rejects.toThrow(Crash);

      // Its lock still points at the scope, which no longer carries the name: stale, taken over.
      expect(await api.scopes.create({ name: ORDERS.name })).toMatchObject({ status: 'ok' });
      expect(await api.scopes.update(ORDERS.id, { name: 'orders:write' }, ADMIN_ORIGIN)).toMatchObject({
        status: 'ok',
      });
      expect(await copiesOf(CLIENT_ID)).toEqual([{ ...ORDERS, name: 'orders:write' }]);
    });
  });

  describe('scope delete', () => {
    it.each([
      ['after marking the scope', 'clients', 'linksTo'],
      ['halfway through the copies', 'clients', 'writePatch'],
      ['before deleting the scope', 'scopes', 'delete'],
      ['after deleting the scope, before freeing its name', 'scopes', 'releaseName'],
    ] as const)('is completed by a retry when interrupted %s', async (_, kind, step) => {
      const scopes = kind === 'scopes' ? crashing(stores.scopes, step as 'delete') : stores.scopes;
      const clients = kind === 'clients' ? crashing(stores.clients, step as 'linksTo') : stores.clients;
      await expect(crashedAt({ scopes, clients }).deleteScope(ORDERS.id)).rejects.toThrow(Crash);

      const retried = await api.deleteScope(ORDERS.id);
      expect(['deleted', 'not-found']).toContain(retried);
      expect(await stores.scopes.get(ORDERS.id)).toBeUndefined();
      expect(await copiesOf(CLIENT_ID)).toEqual([]);
      expect(await copiesOf(OTHER_CLIENT)).toEqual([]);
      expect(await api.scopes.create({ name: ORDERS.name })).toMatchObject({ status: 'ok' });
    });

    it('meanwhile counts as gone for a client write', async () => {
      await expect(crashedAt({ clients: crashing(stores.clients, 'linksTo') }).deleteScope(ORDERS.id)).rejects.toThrow(
        Crash,
      );

      await api.updateClient(CLIENT_ID, { authorized_scopes: [{ id: ORDERS.id }, { name: 'profile' }] });

      expect((await copiesOf(CLIENT_ID))?.map((scope) => scope.name)).toEqual(['profile']);
    });
  });

  describe('scope create', () => {
    it('interrupted between its name lock and its item, is completed by the next claim of the name', async () => {
      const chosen = '0d0d0d0d-0000-4000-8000-000000000004';
      await expect(
        crashedAt({ scopes: crashing(stores.scopes, 'create') }).scopes.create({
          id: chosen,
          name: 'billing',
          public: true,
        }),
      ).rejects.toThrow(Crash);

      await api.updateClient(CLIENT_ID, { authorized_scopes: [{ name: 'billing' }] });

      expect(await copiesOf(CLIENT_ID)).toEqual([{ id: chosen, name: 'billing', public: true }]);
      expect((await stores.scopes.get(chosen))?.record).toEqual({
        id: chosen,
        name: 'billing',
        label: null,
        public: true,
      });
    });

    it('interrupted the same way, is completed by a retry of the same create', async () => {
      const chosen = '0d0d0d0d-0000-4000-8000-000000000005';
      await expect(
        crashedAt({ scopes: crashing(stores.scopes, 'create') }).scopes.create({ id: chosen, name: 'billing' }),
      ).rejects.toThrow(Crash);

      expect(await api.scopes.create({ id: chosen, name: 'billing' })).toMatchObject({
        status: 'ok',
        resource: { record: { id: chosen, name: 'billing' }, version: 1 },
      });
    });
  });

  describe('identity provider delete', () => {
    it('interrupted after marking, keeps clients from linking it, and is completed by a retry', async () => {
      await expect(
        crashedAt({ clients: crashing(stores.clients, 'linksTo') }).deleteProvider(OTHER_IDENTITY_PROVIDER.id),
      ).rejects.toThrow(Crash);

      expect(await api.updateClient(CLIENT_ID, { identity_provider: { id: OTHER_IDENTITY_PROVIDER.id } })).toEqual({
        status: 'invalid',
        errors: { identity_provider_id: ['does not exist'] },
      });
      expect(await api.deleteProvider(OTHER_IDENTITY_PROVIDER.id)).toBe('deleted');
    });

    it('interrupted after marking one its clients link, is refused by a retry, which unmarks it', async () => {
      await expect(
        crashedAt({ clients: crashing(stores.clients, 'linksTo') }).deleteProvider(IDENTITY_PROVIDER.id),
      ).rejects.toThrow(Crash);

      expect(await api.deleteProvider(IDENTITY_PROVIDER.id)).toMatchObject({ status: 'invalid' });
      expect((await stores.providers.get(IDENTITY_PROVIDER.id))?.deleting).toBeUndefined();
      expect(await api.updateClient(CLIENT_ID, { name: 'still linked' })).toMatchObject({ status: 'updated' });
    });
  });

  describe('client update', () => {
    it('interrupted after linking, leaves nothing that stops a rename or a provider delete', async () => {
      await expect(
        crashedAt({ clients: crashing(stores.clients, 'writePatch') }).updateClient(CLIENT_ID, {
          identity_provider: { id: OTHER_IDENTITY_PROVIDER.id },
        }),
      ).rejects.toThrow(Crash);

      expect(await api.providers.update(OTHER_IDENTITY_PROVIDER.id, { name: 'Renamed' }, ADMIN_ORIGIN)).toMatchObject({
        status: 'ok',
      });
      expect(await api.deleteProvider(OTHER_IDENTITY_PROVIDER.id)).toBe('deleted');
      expect((await stores.clients.getClient(CLIENT_ID))?.client.identity_provider).toEqual(IDENTITY_PROVIDER);
    });
  });
});
