import { beforeEach, describe, expect, it } from 'vitest';
import { LINK_LEASE_MS } from '../../lambda/app/client-copies.js';
import { DeleteClient } from '../../lambda/app/delete-client.js';
import type { ScopeLink } from '../../lambda/domain/client.js';
import { DynamoDbClientStore } from '../../lambda/store/dynamodb-client-store.js';
import {
  ADMIN_ORIGIN,
  CLIENT_ID,
  IDENTITY_PROVIDER,
  OTHER_IDENTITY_PROVIDER,
  storedClient,
} from '../support/clients.js';
import { ENGINES, useEngine } from '../support/engines.js';
import { actionsOf, historyWithoutGaps } from '../support/history.js';
import { pausing } from '../support/interruptions.js';
import { dynamoDbStores, givenClient, type Stores, useCases } from '../support/resources.js';
import { newTable } from '../support/tables.js';

const ORDERS = { id: '0a0a0a0a-0000-4000-8000-000000000001', name: 'orders:read', public: false };
const OTHER = { id: '0a0a0a0a-0000-4000-8000-000000000002', name: 'profile', public: true };
const OTHER_CLIENT = '0b0b0b0b-0000-4000-8000-000000000002';
const clientIds = (count: number, prefix = '1') =>
  Array.from({ length: count }, (_, index) => `${prefix}0000000-0000-4000-8000-${String(index).padStart(12, '0')}`);

describe.each(ENGINES)('copies of scopes and identity providers on %s', (_, startEngine) => {
  const engine = useEngine(startEngine);
  let table: string;
  let stores: Stores;
  let api: ReturnType<typeof useCases>;

  beforeEach(async () => {
    table = await newTable(engine.documents);
    stores = dynamoDbStores(engine.documents, table);
    api = useCases(stores);
    for (const scope of [ORDERS, OTHER]) expect((await api.scopes.create(scope)).status).toBe('ok');
    for (const provider of [IDENTITY_PROVIDER, OTHER_IDENTITY_PROVIDER]) {
      expect((await api.providers.create(provider)).status).toBe('ok');
    }
  });

  const stored = async (id: string) => {
    const client = await stores.clients.getClient(id);
    if (!client) throw new Error(`no client ${id}`);
    return client;
  };
  // One after the other: an engine on a loaded test machine is slow to accept many connections.
  async function givenClients(ids: string[], scopes: ScopeLink[], provider = IDENTITY_PROVIDER) {
    for (const id of ids) {
      await givenClient(stores.clients, storedClient({ id, authorized_scopes: scopes, identity_provider: provider }));
    }
  }

  describe('scope rename and public', () => {
    it('reaches every client that holds a copy before it answers; the others keep their version', async () => {
      const holders = clientIds(3);
      const [bystander] = clientIds(1, '2');
      await givenClients(holders, [OTHER, ORDERS]);
      await givenClients([bystander as string], [OTHER]);

      const outcome = await api.scopes.update(
        ORDERS.id,
        { name: 'orders:write', public: 'true', label: 'Orders' },
        ADMIN_ORIGIN,
      );

      expect(outcome).toMatchObject({ status: 'ok', resource: { version: 2, copiesPending: false } });
      const renamed = { id: ORDERS.id, name: 'orders:write', public: true };
      for (const id of holders) {
        expect(await stored(id)).toMatchObject({ version: 2, client: { authorized_scopes: [OTHER, renamed] } });
        // The rename's request is the client's writer of version 2.
        const [latest] = await historyWithoutGaps(stores.clients, id);
        expect(latest).toMatchObject({
          version: 2,
          action: 'scope_renamed',
          actor: ADMIN_ORIGIN.actor,
          request_id: ADMIN_ORIGIN.requestId,
          changes: { authorized_scopes: { from: [OTHER, ORDERS], to: [OTHER, renamed] } },
        });
      }
      expect((await stored(bystander as string)).version).toBe(1);
      expect(actionsOf(await historyWithoutGaps(stores.clients, bystander as string))).toEqual([[1, 'imported']]);
    });

    it('frees the old name and holds the new one', async () => {
      await api.scopes.update(ORDERS.id, { name: 'orders:write' }, ADMIN_ORIGIN);

      expect(await api.scopes.create({ name: 'orders:write' })).toEqual({
        status: 'invalid',
        errors: { name: ['has already been taken'] },
      });
      expect(await api.scopes.create({ name: 'orders:read' })).toMatchObject({ status: 'ok' });
    });

    it('changes only the scope for a label', async () => {
      await givenClients(clientIds(2), [ORDERS]);

      await api.scopes.update(ORDERS.id, { label: 'Read orders' }, ADMIN_ORIGIN);

      for (const id of clientIds(2)) expect((await stored(id)).version).toBe(1);
      expect((await stores.scopes.get(ORDERS.id))?.record.label).toBe('Read orders');
    });

    it('reaches clients linked in any number (more than one read of 100)', async () => {
      const many = clientIds(101, '3');
      await givenClients(many, [ORDERS]);

      await api.scopes.update(ORDERS.id, { public: true }, ADMIN_ORIGIN);

      const after = await stores.clients.getClients(many);
      expect([...after.clients.values()].map(({ client }) => client.authorized_scopes)).toEqual(
        many.map(() => [{ ...ORDERS, public: true }]),
      );
    });
  });

  describe('scope delete', () => {
    it('removes the scope from every client, frees its name and leaves no link', async () => {
      const holders = clientIds(3);
      await givenClients(holders, [ORDERS, OTHER]);

      expect(await api.deleteScope(ORDERS.id)).toBe('deleted');

      for (const id of holders) {
        expect(await stored(id)).toMatchObject({ version: 2, client: { authorized_scopes: [OTHER] } });
        const [latest] = await historyWithoutGaps(stores.clients, id);
        expect(latest).toMatchObject({
          action: 'scope_deleted',
          changes: { authorized_scopes: { from: [ORDERS, OTHER], to: [OTHER] } },
        });
      }
      expect(await stores.scopes.get(ORDERS.id)).toBeUndefined();
      expect(await stores.clients.linksTo('scope', ORDERS.id)).toEqual([]);
      expect(await api.scopes.create({ name: ORDERS.name })).toMatchObject({ status: 'ok' });
    });
  });

  describe('identity provider rename and delete', () => {
    it('renames every client copy', async () => {
      await givenClients(clientIds(2), [], IDENTITY_PROVIDER);

      await api.providers.update(IDENTITY_PROVIDER.id, { name: 'Staff directory' }, ADMIN_ORIGIN);

      for (const id of clientIds(2)) {
        expect((await stored(id)).client.identity_provider).toEqual({
          id: IDENTITY_PROVIDER.id,
          name: 'Staff directory',
        });
        expect((await historyWithoutGaps(stores.clients, id))[0]).toMatchObject({
          action: 'identity_provider_renamed',
          changes: {
            identity_provider: { from: IDENTITY_PROVIDER, to: { id: IDENTITY_PROVIDER.id, name: 'Staff directory' } },
          },
        });
      }
    });

    it('refuses a delete while clients link it, naming them in ascending order, and deletes once none does', async () => {
      const linked = ['f0000000-0000-4000-8000-000000000002', 'a0000000-0000-4000-8000-000000000001'];
      await givenClients(linked, [], IDENTITY_PROVIDER);

      expect(await api.deleteProvider(IDENTITY_PROVIDER.id)).toEqual({
        status: 'invalid',
        errors: {
          client_identity_providers: [
            `identity provider is associated with client(s) ${[...linked].sort().join(', ')}`,
          ],
        },
      });
      expect((await stores.providers.get(IDENTITY_PROVIDER.id))?.deleting).toBeUndefined();

      for (const id of linked) {
        await api.updateClient(id, { identity_provider: { id: OTHER_IDENTITY_PROVIDER.id } });
      }
      expect(await api.deleteProvider(IDENTITY_PROVIDER.id)).toBe('deleted');
      expect(await stores.providers.get(IDENTITY_PROVIDER.id)).toBeUndefined();
      expect(await stores.clients.linksTo('identity-provider', IDENTITY_PROVIDER.id)).toEqual([]);
    });

    it('deletes the provider of a deleted client right away, even when that delete stopped before its links went', async () => {
      await givenClients([CLIENT_ID, OTHER_CLIENT], [], IDENTITY_PROVIDER);
      expect(await new DeleteClient(stores.clients, { protectedClientIds: [] }).execute(CLIENT_ID, ADMIN_ORIGIN)).toBe(
        'deleted',
      );
      // A delete that stopped between its tombstone and the links' cleanup leaves the link.
      const other = await stored(OTHER_CLIENT);
      expect(await stores.clients.deleteClient(other, { action: 'deleted', origin: ADMIN_ORIGIN })).toMatchObject({
        status: 'deleted',
      });
      expect(
        (await stores.clients.linksTo('identity-provider', IDENTITY_PROVIDER.id)).map((link) => link.clientId),
      ).toEqual([OTHER_CLIENT]);

      expect(await api.deleteProvider(IDENTITY_PROVIDER.id)).toBe('deleted');
      expect(await stores.clients.linksTo('identity-provider', IDENTITY_PROVIDER.id)).toEqual([]);
    });
  });

  describe('deleted clients', () => {
    it('give their id to a new client once their retention is over, whose links replace the ones the delete left', async () => {
      await givenClients([CLIENT_ID], [ORDERS]);
      const longAgo = Date.now() - 400 * 86_400_000;
      const then = new DynamoDbClientStore(engine.documents, table, { now: () => new Date(longAgo) });
      await then.deleteClient(await stored(CLIENT_ID), { action: 'deleted', origin: ADMIN_ORIGIN });
      // Links of the deleted client, as a delete that stopped before removing them leaves them:
      // old, and above the versions of the client that takes the id again.
      await stores.clients.putLinks(
        CLIENT_ID,
        { scope: [ORDERS.id, OTHER.id], 'identity-provider': [] },
        { clientVersion: 7, attempt: 'the deleted client', linkedAt: longAgo, replacesBefore: longAgo - LINK_LEASE_MS },
      );

      const created = await api.createClient({
        id: CLIENT_ID,
        identity_provider: { id: IDENTITY_PROVIDER.id },
        authorized_scopes: [{ id: ORDERS.id }],
      });
      expect(created).toMatchObject({ status: 'created', client: { version: 1 } });
      expect(await stores.clients.linksTo('scope', ORDERS.id)).toEqual([
        expect.objectContaining({
          clientId: CLIENT_ID,
          clientVersion: 1,
          attempt: expect.not.stringMatching('deleted'),
        }),
      ]);

      await api.scopes.update(ORDERS.id, { name: 'orders:write' }, ADMIN_ORIGIN);
      // The deleted client's link to a scope the new one lacks belongs to no write: no fence.
      await api.scopes.update(OTHER.id, { name: 'profile:read' }, ADMIN_ORIGIN);

      expect((await stored(CLIENT_ID)).client.authorized_scopes).toEqual([{ ...ORDERS, name: 'orders:write' }]);
      expect(actionsOf(await historyWithoutGaps(stores.clients, CLIENT_ID))).toEqual([
        [2, 'scope_renamed'],
        [1, 'created'],
      ]);
      expect(await stores.clients.linksTo('scope', OTHER.id)).toEqual([]);
    });
  });

  describe('races with client writes', () => {
    it('fences a client write that read the scope before a rename: it starts over and copies the new name', async () => {
      await givenClients([CLIENT_ID], []);
      const { store, pause } = pausing(stores.clients, 'writePatch');
      const writer = useCases({ ...stores, clients: store }).updateClient(CLIENT_ID, {
        authorized_scopes: [{ id: ORDERS.id }],
      });
      await pause.reached;

      await api.scopes.update(ORDERS.id, { name: 'orders:write' }, ADMIN_ORIGIN);
      // When the rename has answered, no client holds the old name, not even this one in flight.
      const fenced = await stored(CLIENT_ID);
      expect(fenced).toMatchObject({ version: 2, client: { authorized_scopes: [] } });
      pause.resume();

      expect(await writer).toMatchObject({ status: 'updated', client: { version: 3 } });
      expect((await stored(CLIENT_ID)).client.authorized_scopes).toEqual([{ ...ORDERS, name: 'orders:write' }]);
      // The fence took version 2 and changed nothing; the write that started over took version 3.
      const entries = await historyWithoutGaps(stores.clients, CLIENT_ID);
      expect(actionsOf(entries)).toEqual([
        [3, 'updated'],
        [2, 'scope_renamed'],
        [1, 'imported'],
      ]);
      expect(entries[1]?.changes).toEqual({});
      expect(entries[0]?.changes).toEqual({
        authorized_scopes: { from: [], to: [{ ...ORDERS, name: 'orders:write' }] },
      });
    });

    it('lets a client write that links after the rename passed read the new name', async () => {
      await givenClients([CLIENT_ID], []);
      const { store, pause } = pausing(stores.clients, 'putLinks');
      const writer = useCases({ ...stores, clients: store }).updateClient(CLIENT_ID, {
        authorized_scopes: [{ id: ORDERS.id }],
      });
      await pause.reached;

      await api.scopes.update(ORDERS.id, { name: 'orders:write' }, ADMIN_ORIGIN);
      expect((await stored(CLIENT_ID)).version).toBe(1);
      pause.resume();

      expect(await writer).toMatchObject({ status: 'updated', client: { version: 2 } });
      expect((await stored(CLIENT_ID)).client.authorized_scopes).toEqual([{ ...ORDERS, name: 'orders:write' }]);
    });

    it('keeps both a client update and the rename whose fan-out it overtook', async () => {
      await givenClients([CLIENT_ID], [ORDERS]);
      const { store, pause } = pausing(stores.clients, 'writePatch');
      const rename = useCases({ ...stores, clients: store }).scopes.update(
        ORDERS.id,
        { name: 'orders:write' },
        ADMIN_ORIGIN,
      );
      await pause.reached;

      expect(await api.updateClient(CLIENT_ID, { name: 'Renamed meanwhile' })).toMatchObject({ status: 'updated' });
      pause.resume();

      expect(await rename).toMatchObject({ status: 'ok' });
      expect((await stored(CLIENT_ID)).client).toMatchObject({
        name: 'Renamed meanwhile',
        authorized_scopes: [{ ...ORDERS, name: 'orders:write' }],
      });
      // The fan-out's write lost to the update, recorded nothing, and landed on top of it.
      expect(actionsOf(await historyWithoutGaps(stores.clients, CLIENT_ID))).toEqual([
        [3, 'scope_renamed'],
        [2, 'updated'],
        [1, 'imported'],
      ]);
    });

    it('fences a client write that attached a scope being deleted: it starts over without it', async () => {
      await givenClients([CLIENT_ID], [OTHER]);
      const { store, pause } = pausing(stores.clients, 'writePatch');
      const writer = useCases({ ...stores, clients: store }).updateClient(CLIENT_ID, {
        authorized_scopes: [{ id: OTHER.id }, { id: ORDERS.id }],
      });
      await pause.reached;

      expect(await api.deleteScope(ORDERS.id)).toBe('deleted');
      pause.resume();

      // Started over without the deleted scope, the request asks for what the client holds.
      expect(await writer).toMatchObject({ status: 'unchanged' });
      expect((await stored(CLIENT_ID)).client.authorized_scopes).toEqual([OTHER]);
      const entries = await historyWithoutGaps(stores.clients, CLIENT_ID);
      expect(actionsOf(entries)).toEqual([
        [2, 'scope_deleted'],
        [1, 'imported'],
      ]);
      expect(entries[0]?.changes).toEqual({});
    });

    it('fences a client linking a provider being deleted: the delete goes through, the write finds it gone', async () => {
      await givenClients([CLIENT_ID], [], OTHER_IDENTITY_PROVIDER);
      const { store, pause } = pausing(stores.clients, 'writePatch');
      const writer = useCases({ ...stores, clients: store }).updateClient(CLIENT_ID, {
        identity_provider: { id: IDENTITY_PROVIDER.id },
      });
      await pause.reached;

      expect(await api.deleteProvider(IDENTITY_PROVIDER.id)).toBe('deleted');
      pause.resume();

      expect(await writer).toEqual({ status: 'invalid', errors: { identity_provider_id: ['does not exist'] } });
      expect((await stored(CLIENT_ID)).client.identity_provider).toEqual(OTHER_IDENTITY_PROVIDER);
      // The delete changed no client, but its fence took a version, which has its entry.
      const entries = await historyWithoutGaps(stores.clients, CLIENT_ID);
      expect(actionsOf(entries)).toEqual([
        [2, 'identity_provider_deleted'],
        [1, 'imported'],
      ]);
      expect(entries[0]?.changes).toEqual({});
    });

    it('refuses a provider delete while a client being linked to it has written, naming it', async () => {
      await givenClients([CLIENT_ID], [], OTHER_IDENTITY_PROVIDER);
      await api.updateClient(CLIENT_ID, { identity_provider: { id: IDENTITY_PROVIDER.id } });

      expect(await api.deleteProvider(IDENTITY_PROVIDER.id)).toMatchObject({ status: 'invalid' });
    });

    it('answers 409 rather than delete a provider that a client being created links; the create then completes', async () => {
      const { store, pause } = pausing(stores.clients, 'createClient');
      const create = useCases({ ...stores, clients: store }).createClient({
        id: CLIENT_ID,
        identity_provider: { id: IDENTITY_PROVIDER.id },
      });
      await pause.reached;

      expect(await api.deleteProvider(IDENTITY_PROVIDER.id)).toBe('conflict');
      pause.resume();

      expect(await create).toMatchObject({ status: 'created' });
      expect((await stored(CLIENT_ID)).client.identity_provider).toEqual(IDENTITY_PROVIDER);
      expect((await stores.providers.get(IDENTITY_PROVIDER.id))?.deleting).toBeUndefined();
    });

    it('deletes a provider whose only link is an old one of a client never created', async () => {
      await stores.clients.putLinks(
        CLIENT_ID,
        { scope: [], 'identity-provider': [IDENTITY_PROVIDER.id] },
        { clientVersion: 1, attempt: 'abandoned', linkedAt: Date.now(), replacesBefore: Date.now() - LINK_LEASE_MS },
      );
      expect(await api.deleteProvider(IDENTITY_PROVIDER.id)).toBe('conflict');

      const later = useCases(stores, { clock: () => Date.now() + LINK_LEASE_MS });
      expect(await later.deleteProvider(IDENTITY_PROVIDER.id)).toBe('deleted');
    });

    it('corrects a client created with a copy read before a rename that ran before its write', async () => {
      const { store, pause } = pausing(stores.clients, 'createClient');
      const create = useCases({ ...stores, clients: store }).createClient({
        id: CLIENT_ID,
        identity_provider: { id: IDENTITY_PROVIDER.id },
        authorized_scopes: [{ id: ORDERS.id }],
      });
      await pause.reached;

      await api.scopes.update(ORDERS.id, { name: 'orders:write' }, ADMIN_ORIGIN);
      pause.resume();

      expect(await create).toMatchObject({
        status: 'created',
        client: { client: { authorized_scopes: [{ ...ORDERS, name: 'orders:write' }] } },
      });
      expect((await stored(CLIENT_ID)).client.authorized_scopes).toEqual([{ ...ORDERS, name: 'orders:write' }]);
      // The correction is the create's own write, recorded as the change it follows.
      const entries = await historyWithoutGaps(stores.clients, CLIENT_ID);
      expect(actionsOf(entries)).toEqual([
        [2, 'scope_renamed'],
        [1, 'created'],
      ]);
      expect(entries[0]).toMatchObject({
        actor: ADMIN_ORIGIN.actor,
        changes: { authorized_scopes: { from: [ORDERS], to: [{ ...ORDERS, name: 'orders:write' }] } },
      });
    });

    it('ends with every copy as the scope is, after renames racing client updates that attach and detach it', async () => {
      const ids = clientIds(8, '4');
      await givenClients(ids, []);
      const names = ['orders:a', 'orders:b', 'orders:c'];

      const updates = ids.flatMap((id, index) => [
        api.updateClient(id, { authorized_scopes: [{ id: ORDERS.id }, { id: OTHER.id }] }),
        api.updateClient(id, { authorized_scopes: index % 2 === 0 ? [{ id: OTHER.id }] : [{ id: ORDERS.id }] }),
      ]);
      const renames = names.map((name, index) =>
        api.scopes.update(ORDERS.id, { name, public: index === 1 }, ADMIN_ORIGIN),
      );
      const outcomes = await Promise.all([...updates, ...renames]);

      expect(outcomes.map((outcome) => outcome.status)).toEqual([
        ...updates.map(() => 'updated'),
        ...renames.map(() => 'ok'),
      ]);
      const scope = (await stores.scopes.get(ORDERS.id))?.record;
      const copy = { id: ORDERS.id, name: scope?.name, public: scope?.public };
      const after = await stores.clients.getClients(ids);
      for (const { client } of after.clients.values()) {
        for (const held of client.authorized_scopes) {
          expect(held).toEqual(held.id === ORDERS.id ? copy : OTHER);
        }
      }
      // Updates, renames and fences: one entry per version of every client, no gap.
      for (const id of ids) {
        const actions = new Set((await historyWithoutGaps(stores.clients, id)).map((entry) => entry.action));
        expect([...actions].every((action) => ['imported', 'updated', 'scope_renamed'].includes(action))).toBe(true);
      }
    });
  });
});
