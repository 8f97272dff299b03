import { randomUUID } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import * as v from 'valibot';
import { ClientCopies } from '../../lambda/app/client-copies.js';
import { identityProviderUseCases } from '../../lambda/app/identity-providers.js';
import { ImportClient } from '../../lambda/app/import-client.js';
import type { NamedResources } from '../../lambda/app/named-resources.js';
import { scopeUseCases } from '../../lambda/app/scopes.js';
import type { Client, ScopeLink } from '../../lambda/domain/client.js';
import { clientToCreate } from '../../lambda/domain/client-defaults.js';
import { isPlainObject } from '../../lambda/domain/client-fields.js';
import type { FieldErrors } from '../../lambda/domain/field-errors.js';
import type { ChangeOrigin } from '../../lambda/domain/history-entry.js';
import type { IdentityProvider } from '../../lambda/domain/identity-provider.js';
import { isUsableScopeName } from '../../lambda/domain/scope.js';
import { planUpdate, type UpdateLookups } from '../../lambda/domain/update-plan.js';
import { parseImportRequest, type UpdateRequest } from '../../lambda/domain/update-request.js';
import { canonicalUuid } from '../../lambda/domain/uuid.js';
import type { ClientStore } from '../../lambda/store/client-store.js';
import { DEFAULT_HISTORY_CAPACITY, maxRingBytes } from '../../lambda/store/history-ring.js';
import type { IdentityProviderStore } from '../../lambda/store/identity-provider-store.js';
import type { ScopeStore } from '../../lambda/store/scope-store.js';

/**
 * Seed files: identity providers, scopes, clients (the API's body, plus an optional id, and
 * private_key with its public_key and did) and write-protected client ids. Each client goes
 * through the API's rules and use cases: what it gives changes, the create defaults fill the rest.
 */
const Uuid = v.pipe(
  v.string(),
  v.check((id) => canonicalUuid(id) !== undefined, 'is not a UUID'),
  v.toLowerCase(),
);
const SeedSchema = v.strictObject({
  identity_providers: v.optional(v.array(v.strictObject({ id: Uuid, name: v.string() })), []),
  scopes: v.optional(
    v.array(
      v.strictObject({
        id: Uuid,
        name: v.pipe(
          v.string(),
          v.check((name) => isUsableScopeName(name), 'must have no whitespace and at most 255 characters'),
        ),
        public: v.optional(v.boolean(), false),
      }),
    ),
    [],
  ),
  clients: v.optional(v.array(v.custom<Record<string, unknown>>(isPlainObject, 'is not an object')), []),
  protected_client_ids: v.optional(v.array(Uuid), []),
});

/** A client of a seed, as the request that imports it. */
export interface SeedClient {
  id: string;
  request: UpdateRequest;
}

export interface Seed {
  identityProviders: IdentityProvider[];
  scopes: ScopeLink[];
  clients: SeedClient[];
  protectedClientIds: string[];
}

export class SeedError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SeedError';
  }
}

export async function readSeedFile(path: string, options: Omit<PrepareOptions, 'source'> = {}): Promise<Seed> {
  let json: unknown;
  try {
    json = JSON.parse(await readFile(path, 'utf8'));
  } catch (error) {
    throw new SeedError(`${path}: ${(error as Error).message}`);
  }
  return prepareSeed(json, { ...options, source: path });
}

export interface PrepareOptions {
  /** Where the seed comes from, for messages. */
  source?: string;
  /**
   * The stored client of an id, for imports into a table that may hold it: the file's fields are
   * checked against it before anything is written, and clients then need an id (so that
   * importing a file twice changes nothing the second time).
   */
  existingClient?: (id: string) => Promise<Client | undefined>;
  /** The room the store keeps for each client's history (ClientStore.historyBytes). */
  historyBytes?: number;
}

/**
 * Validates a seed before anything is written, with the rules the import then applies: what a
 * client names must be in the file, and its fields must pass against the stored client (or the
 * create defaults). A client without id gets one here, so that its id is known before it exists.
 */
export async function prepareSeed(
  json: unknown,
  { source = 'seed', existingClient, historyBytes = maxRingBytes(DEFAULT_HISTORY_CAPACITY) }: PrepareOptions = {},
): Promise<Seed> {
  const parsed = v.safeParse(SeedSchema, json);
  if (!parsed.success) {
    const [issue] = parsed.issues;
    throw new SeedError(`${source}: ${v.getDotPath(issue) ?? 'the file'} ${issue.message}`);
  }
  const { identity_providers, scopes, clients, protected_client_ids } = parsed.output;
  const lookups: UpdateLookups = {
    identityProviders: new Map(identity_providers.map((provider) => [provider.id, provider])),
    scopesById: new Map(scopes.map((scope) => [scope.id, scope])),
    scopesByName: new Map(scopes.map((scope) => [scope.name, scope])),
  };
  const prepared = await Promise.all(
    clients.map((fields, index) =>
      prepareClient(fields, lookups, `${source}: clients[${index}]`, { existingClient, historyBytes }),
    ),
  );
  return { identityProviders: identity_providers, scopes, clients: prepared, protectedClientIds: protected_client_ids };
}

async function prepareClient(
  fields: Record<string, unknown>,
  lookups: UpdateLookups,
  item: string,
  { existingClient, historyBytes }: Pick<PrepareOptions, 'existingClient'> & { historyBytes: number },
): Promise<SeedClient> {
  if (existingClient && fields.id === undefined) throw new SeedError(`${item}: id is required to import a client`);
  const id = fields.id === undefined ? randomUUID() : canonicalUuid(fields.id);
  if (!id) throw new SeedError(`${item}: id is not a UUID`);
  const fail = (errors: FieldErrors): never => {
    throw new SeedError(`${item} (${id}): ${describeErrors(errors)}`);
  };
  const parsed = parseImportRequest({ ...fields, id });
  if (!parsed.ok) return fail(parsed.errors);
  for (const scope of parsed.request.scopes ?? []) {
    if ('id' in scope && !lookups.scopesById.has(scope.id)) {
      fail({ authorized_scopes: [`names a scope the seed lacks: ${scope.id}`] });
    }
  }
  const plan = planUpdate(parsed.request, (await existingClient?.(id)) ?? clientToCreate(id), lookups, historyBytes);
  if (plan.status === 'invalid') fail(plan.errors);
  return { id, request: parsed.request };
}

function describeErrors(errors: FieldErrors): string {
  return Object.entries(errors)
    .map(([field, messages]) => `${field} ${messages.join(', ')}`)
    .join('; ');
}

export interface SeedReport {
  identityProviders: number;
  scopes: number;
  clientsCreated: number;
  clientsUpdated: number;
  clientsUnchanged: number;
}

export interface SeedStores {
  clients: ClientStore;
  scopes: ScopeStore;
  identityProviders: IdentityProviderStore;
}

/**
 * Writes a prepared seed: identity providers and scopes first, so that clients refer to them,
 * then each client through the API's use cases (ImportClient). A client the seed leaves as it
 * is stored is not written (no version bump). Each client write, and each client whose copy a
 * rename in the seed brings up to date, records `origin` (who imports) in the client's history.
 */
export async function writeSeed(
  stores: SeedStores,
  seed: Seed,
  origin: ChangeOrigin,
  progress: (done: number, total: number) => void = () => {},
): Promise<SeedReport> {
  const store = stores.clients;
  const providers = identityProviderUseCases(stores.identityProviders, store);
  await writeNamedResources(providers, seed.identityProviders, origin);
  await writeNamedResources(scopeUseCases(stores.scopes, store), seed.scopes, origin);
  const report = {
    identityProviders: seed.identityProviders.length,
    scopes: seed.scopes.length,
    clientsCreated: 0,
    clientsUpdated: 0,
    clientsUnchanged: 0,
  };
  const importClient = new ImportClient(store);
  const copies = new ClientCopies(store);
  for (const [index, { id, request }] of seed.clients.entries()) {
    const outcome = await importClient.execute(id, request, origin);
    if (outcome.status === 'invalid') throw new SeedError(`client ${id}: ${describeErrors(outcome.errors)}`);
    if (outcome.status === 'conflict') throw new SeedError(`client ${id}: kept changing meanwhile; import again`);
    // The copies the client holds are linked even when the import changed none of them: a table
    // from before links gets them for its clients.
    await copies.link(outcome.client.client, outcome.client.version);
    if (outcome.status === 'created') report.clientsCreated += 1;
    else if (outcome.status === 'updated') report.clientsUpdated += 1;
    else report.clientsUnchanged += 1;
    progress(index + 1, seed.clients.length);
  }
  return report;
}

/**
 * Identity providers and scopes through their use cases, as the API would write them: created,
 * or changed where the id exists with another name or `public` (a rename frees the old name and
 * reaches every client that has a copy). A name held by another id stops the write.
 */
async function writeNamedResources<T extends { id: string; name: string }>(
  useCases: NamedResources<T>,
  records: T[],
  origin: ChangeOrigin,
): Promise<void> {
  for (const record of records) {
    const stored = await useCases.show(record.id);
    const fields = record as unknown as Record<string, unknown>;
    const outcome =
      stored.status === 'ok' ? await useCases.update(record.id, fields, origin) : await useCases.create(fields);
    if (outcome.status === 'invalid') {
      throw new SeedError(`${record.id} (${record.name}): ${describeErrors(outcome.errors)}`);
    }
    if (outcome.status !== 'ok') throw new SeedError(`${record.id} (${record.name}): ${outcome.status}`);
  }
}
