import { randomUUID } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import * as v from 'valibot';
import { ImportClient } from '../../lambda/app/import-client.js';
import type { Client, IdentityProviderLink, ScopeLink } from '../../lambda/domain/client.js';
import { clientToCreate } from '../../lambda/domain/client-defaults.js';
import { isPlainObject } from '../../lambda/domain/client-fields.js';
import type { FieldErrors } from '../../lambda/domain/field-errors.js';
import { planUpdate, type UpdateLookups } from '../../lambda/domain/update-plan.js';
import { isUsableScopeName, parseImportRequest, type UpdateRequest } from '../../lambda/domain/update-request.js';
import { canonicalUuid } from '../../lambda/domain/uuid.js';
import type { ClientStore } from '../../lambda/store/client-store.js';

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
  identityProviders: IdentityProviderLink[];
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
}

/**
 * Validates a seed before anything is written, with the rules the import then applies: what a
 * client names must be in the file, and its fields must pass against the stored client (or the
 * create defaults). A client without id gets one here, so that its id is known before it exists.
 */
export async function prepareSeed(
  json: unknown,
  { source = 'seed', existingClient }: PrepareOptions = {},
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
    clients.map((fields, index) => prepareClient(fields, lookups, `${source}: clients[${index}]`, existingClient)),
  );
  return { identityProviders: identity_providers, scopes, clients: prepared, protectedClientIds: protected_client_ids };
}

async function prepareClient(
  fields: Record<string, unknown>,
  lookups: UpdateLookups,
  item: string,
  existingClient: PrepareOptions['existingClient'],
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
  const plan = planUpdate(parsed.request, (await existingClient?.(id)) ?? clientToCreate(id), lookups);
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

/**
 * Writes a prepared seed: identity providers and scopes first, so that clients refer to them,
 * then each client through the API's use cases (ImportClient). A client the seed leaves as it
 * is stored is not written (no version bump).
 */
export async function writeSeed(
  store: ClientStore,
  seed: Seed,
  progress: (done: number, total: number) => void = () => {},
): Promise<SeedReport> {
  await Promise.all(seed.identityProviders.map((provider) => store.putIdentityProvider(provider)));
  await writeSeedScopes(store, seed.scopes);
  const report = {
    identityProviders: seed.identityProviders.length,
    scopes: seed.scopes.length,
    clientsCreated: 0,
    clientsUpdated: 0,
    clientsUnchanged: 0,
  };
  const importClient = new ImportClient(store);
  for (const [index, { id, request }] of seed.clients.entries()) {
    const outcome = await importClient.execute(id, request);
    if (outcome.status === 'invalid') throw new SeedError(`client ${id}: ${describeErrors(outcome.errors)}`);
    if (outcome.status === 'conflict') throw new SeedError(`client ${id}: kept changing meanwhile; import again`);
    if (outcome.status === 'created') report.clientsCreated += 1;
    else if (outcome.status === 'updated') report.clientsUpdated += 1;
    else report.clientsUnchanged += 1;
    progress(index + 1, seed.clients.length);
  }
  return report;
}

/** A scope name held by another scope id stops the write. */
async function writeSeedScopes(store: ClientStore, scopes: ScopeLink[]): Promise<void> {
  for (const scope of scopes) {
    if ((await store.putScope(scope)) === 'name-taken') {
      throw new SeedError(`scope ${scope.id}: the name ${scope.name} belongs to another scope`);
    }
  }
}
