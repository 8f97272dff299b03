import { GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { beforeEach, describe, expect, it } from 'vitest';
import { IDENTITY_PROVIDER, storedClient } from '../support/clients.js';
import { ENGINES, useEngine } from '../support/engines.js';
import { dynamoDbStores, givenClient, type Stores, useCases } from '../support/resources.js';
import { newTable } from '../support/tables.js';

const QUOTA = 4;
const LIMITS = { quota: QUOTA, listCeiling: QUOTA + 2 };
const SCOPES_REACHED = { status: 'invalid', errors: { name: [`limit of ${QUOTA} scopes reached`] } };
const BY_NAME_REACHED = { status: 'invalid', errors: { authorized_scopes: [`limit of ${QUOTA} scopes reached`] } };
const clientId = (index: number) => `c0000000-0000-4000-8000-${String(index).padStart(12, '0')}`;
const names = (prefix: string, count: number) => Array.from({ length: count }, (_, index) => `${prefix}:${index}`);

describe.each(ENGINES)('quotas of scopes and identity providers on %s', (_, startEngine) => {
  const engine = useEngine(startEngine);
  let tableName: string;
  let stores: Stores;
  let api: ReturnType<typeof useCases>;

  beforeEach(async () => {
    tableName = await newTable(engine.documents);
    stores = dynamoDbStores(engine.documents, tableName, { scope: LIMITS, 'identity-provider': LIMITS });
    api = useCases(stores);
  });

  const counted = async (pk: string) => {
    const { Item } = await engine.documents.send(
      new GetCommand({ TableName: tableName, Key: { pk, sk: pk }, ConsistentRead: true }),
    );
    return Item?.count;
  };
  const storedScopes = async () => (await api.scopes.list()).map(({ record }) => record.name);
  const byName = (scopeNames: string[]) => ({ authorized_scopes: scopeNames.map((name) => ({ name })) });

  it('refuses a scope past the quota on every creation path, and counts exactly what is stored', async () => {
    await givenClient(stores.clients, storedClient({ id: clientId(1), authorized_scopes: [] }));
    expect((await api.providers.create(IDENTITY_PROVIDER)).status).toBe('ok');
    const newClient = (scopeNames: string[]) =>
      api.createClient({ identity_provider: { id: IDENTITY_PROVIDER.id }, ...byName(scopeNames) });
    expect((await api.scopes.create({ name: 'a' })).status).toBe('ok');
    expect((await api.updateClient(clientId(1), byName(['b', 'c', 'a']))).status).toBe('updated');
    expect((await newClient(['d'])).status).toBe('created');

    expect(await api.scopes.create({ name: 'e' })).toEqual(SCOPES_REACHED);
    expect(await api.updateClient(clientId(1), byName(['e']))).toEqual(BY_NAME_REACHED);
    expect(await newClient(['e'])).toEqual(BY_NAME_REACHED);
    // Names that exist take no slot.
    expect((await api.updateClient(clientId(1), byName(['d']))).status).toBe('updated');
    expect(await storedScopes()).toEqual(['a', 'b', 'c', 'd']);
    expect(await counted('SCOPE_COUNT')).toBe(QUOTA);
  });

  it('gives a deleted scope’s slot back', async () => {
    const created = await Promise.all(names('s', QUOTA).map((name) => api.scopes.create({ name })));
    const [first] = created;
    if (first?.status !== 'ok') throw new Error('not created');

    expect(await api.deleteScope(first.resource.record.id)).toBe('deleted');
    expect(await counted('SCOPE_COUNT')).toBe(QUOTA - 1);
    expect((await api.scopes.create({ name: 'again' })).status).toBe('ok');
  });

  it('lets exactly the quota through when many creations race at the boundary', async () => {
    await api.scopes.create({ name: 'first' });

    const outcomes = await Promise.all(names('race', 12).map((name) => api.scopes.create({ name })));

    expect(outcomes.filter(({ status }) => status === 'ok')).toHaveLength(QUOTA - 1);
    expect(outcomes.filter((outcome) => outcome.status !== 'ok')).toEqual(Array(13 - QUOTA).fill(SCOPES_REACHED));
    expect(await storedScopes()).toHaveLength(QUOTA);
    expect(await counted('SCOPE_COUNT')).toBe(QUOTA);
  });

  it('keeps concurrent client updates by name within the quota, all or none of each request’s names', async () => {
    for (let index = 0; index < 5; index += 1) {
      await givenClient(stores.clients, storedClient({ id: clientId(index), authorized_scopes: [] }));
    }

    const outcomes = await Promise.all(
      Array.from({ length: 5 }, (_, index) => api.updateClient(clientId(index), byName(names(`c${index}`, 2)))),
    );

    expect(outcomes.filter(({ status }) => status === 'updated')).toHaveLength(QUOTA / 2);
    expect(outcomes.filter(({ status }) => status !== 'updated')).toEqual(Array(5 - QUOTA / 2).fill(BY_NAME_REACHED));
    expect(await storedScopes()).toHaveLength(QUOTA);
    expect(await counted('SCOPE_COUNT')).toBe(QUOTA);
  });

  it('gives back the slots of creations that lose a name to another', async () => {
    const outcomes = await Promise.all(Array.from({ length: 6 }, () => api.scopes.create({ name: 'same' })));

    expect(outcomes.filter(({ status }) => status === 'ok')).toHaveLength(1);
    expect(await counted('SCOPE_COUNT')).toBe(1);
    for (const name of names('more', QUOTA - 1)) expect((await api.scopes.create({ name })).status).toBe('ok');
  });

  it('counts a table from before quotas when it first claims, and refuses past it', async () => {
    // Written without the counter, as scopes were before it existed.
    for (const name of names('old', QUOTA)) {
      await stores.clients.putScope({ id: crypto.randomUUID(), name, public: false });
    }

    expect(await api.scopes.create({ name: 'new' })).toEqual(SCOPES_REACHED);
    expect(await counted('SCOPE_COUNT')).toBe(QUOTA);
  });

  it('rebuilds a count left too high by crashed creations once it is older than a minute', async () => {
    // Creations that claimed their slot and died before writing anything.
    expect(await stores.scopes.claimSlots(QUOTA)).toBe(true);
    expect(await api.scopes.create({ name: 'x' })).toEqual(SCOPES_REACHED);

    await engine.documents.send(
      new UpdateCommand({
        TableName: tableName,
        Key: { pk: 'SCOPE_COUNT', sk: 'SCOPE_COUNT' },
        UpdateExpression: 'SET recounted_at = :old',
        ExpressionAttributeValues: { ':old': Date.now() - 61_000 },
      }),
    );

    expect((await api.scopes.create({ name: 'x' })).status).toBe('ok');
    expect(await counted('SCOPE_COUNT')).toBe(1);
  });

  it('refuses an identity provider past its quota and takes one again after a delete', async () => {
    const created = await Promise.all(names('idp', QUOTA + 3).map((name) => api.providers.create({ name })));

    const ok = created.flatMap((outcome) => (outcome.status === 'ok' ? [outcome.resource.record.id] : []));
    expect(ok).toHaveLength(QUOTA);
    expect(created.filter(({ status }) => status !== 'ok')).toEqual(
      Array(3).fill({ status: 'invalid', errors: { name: [`limit of ${QUOTA} identity providers reached`] } }),
    );
    expect(await api.deleteProvider(ok[0] as string)).toBe('deleted');
    expect(await counted('IDENTITY_PROVIDER_COUNT')).toBe(QUOTA - 1);
    expect((await api.providers.create({ name: 'another' })).status).toBe('ok');
  });
});
