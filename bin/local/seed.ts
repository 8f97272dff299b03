import { readFile } from 'node:fs/promises';
import { isDeepStrictEqual } from 'node:util';
import * as v from 'valibot';
import { ClientCopies } from '../../lambda/app/client-copies.js';
import { identityProviderUseCases } from '../../lambda/app/identity-providers.js';
import type { NamedResources } from '../../lambda/app/named-resources.js';
import { scopeUseCases } from '../../lambda/app/scopes.js';
import type { Client, ScopeLink } from '../../lambda/domain/client.js';
import {
  clientWithDefaults,
  DEFAULT_KEY_PAIR_TYPE,
  generateClientSecret,
} from '../../lambda/domain/client-defaults.js';
import { isPlainObject } from '../../lambda/domain/client-fields.js';
import type { IdentityProvider } from '../../lambda/domain/identity-provider.js';
import { generateKeyPairFor } from '../../lambda/domain/key-pairs.js';
import { applyPatch, planUpdate, type UpdateLookups } from '../../lambda/domain/update-plan.js';
import { parseUpdateRequest } from '../../lambda/domain/update-request.js';
import { canonicalUuid } from '../../lambda/domain/uuid.js';
import type { ClientStore } from '../../lambda/store/client-store.js';
import type { IdentityProviderStore } from '../../lambda/store/identity-provider-store.js';
import type { ScopeStore } from '../../lambda/store/scope-store.js';

/**
 * Seed files: identity providers, scopes, clients (API fields plus optional id, secret,
 * key_pair_type, public_key, private_key and did) and write-protected client ids. Clients take
 * the create defaults for what they do not give, and what they give passes the API's rules.
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
        name: v.pipe(v.string(), v.regex(/^\S+$/, 'has whitespace')),
        public: v.optional(v.boolean(), false),
      }),
    ),
    [],
  ),
  clients: v.optional(v.array(v.custom<Record<string, unknown>>(isPlainObject, 'is not an object')), []),
  protected_client_ids: v.optional(v.array(Uuid), []),
});

export interface Seed {
  identityProviders: IdentityProvider[];
  scopes: ScopeLink[];
  clients: Client[];
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
   * The stored client of an id, for imports into a table that may hold it: what the file does
   * not give (secret, keys, identity provider, other fields) is kept rather than defaulted,
   * so that importing a file twice changes nothing the second time. Clients then need an id.
   */
  existingClient?: (id: string) => Promise<Client | undefined>;
}

/** Validates a seed and builds its records, keys and secrets generated where not given. */
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
  const built = await Promise.all(
    clients.map(async (fields, index) => {
      const item = `${source}: clients[${index}]`;
      if (existingClient && fields.id === undefined) throw new SeedError(`${item}: id is required to import a client`);
      const id = canonicalUuid(fields.id);
      return buildClient(fields, lookups, item, id && existingClient ? await existingClient(id) : undefined);
    }),
  );
  return { identityProviders: identity_providers, scopes, clients: built, protectedClientIds: protected_client_ids };
}

async function buildClient(
  fields: Record<string, unknown>,
  lookups: UpdateLookups,
  item: string,
  existing?: Client,
): Promise<Client> {
  const fail = (field: string, message: string): never => {
    throw new SeedError(`${item}: ${field} ${message}`);
  };
  const id = fields.id === undefined ? crypto.randomUUID() : (canonicalUuid(fields.id) ?? fail('id', 'is not a UUID'));
  const named = `${item} (${id})`;
  // Upstream data can hold a client without an identity provider: seeds take it as it is
  // (its view shows {"id": null, "name": null}); the API's create still requires one.
  const givenProviderId = (fields.identity_provider as { id?: unknown } | null | undefined)?.id;
  const providerId = canonicalUuid(givenProviderId);
  if (!providerId && givenProviderId !== undefined && givenProviderId !== null) {
    fail('identity_provider_id', 'has invalid format');
  }
  const identityProvider = providerId
    ? (lookups.identityProviders.get(providerId) ?? fail('identity_provider_id', 'does not exist'))
    : (existing?.identity_provider ?? null);
  for (const scope of Array.isArray(fields.authorized_scopes) ? fields.authorized_scopes : []) {
    const scopeId = isPlainObject(scope) ? canonicalUuid(scope.id) : undefined;
    if (scopeId && !lookups.scopesById.has(scopeId)) fail('authorized_scopes', `names an unknown scope ${scopeId}`);
  }
  for (const key of ['secret', 'public_key', 'private_key', 'did'] as const) {
    if (fields[key] !== undefined && typeof fields[key] !== 'string') fail(key, 'is invalid');
  }
  if ((fields.public_key === undefined) !== (fields.private_key === undefined)) {
    fail('private_key', 'and public_key go together');
  }
  const keyPairType = isPlainObject(fields.key_pair_type) ? fields.key_pair_type : DEFAULT_KEY_PAIR_TYPE;
  // A key type that cannot make keys is reported by the field rules below, or else as upstream does.
  const keyPair =
    fields.public_key !== undefined
      ? { publicKey: fields.public_key as string, privateKey: fields.private_key as string }
      : existing
        ? { publicKey: existing.public_key ?? '', privateKey: existing.private_key ?? '' }
        : await generateKeyPairFor(keyPairType);

  const secret = (fields.secret as string | undefined) ?? existing?.secret ?? generateClientSecret();
  const keys = keyPair ?? { publicKey: '', privateKey: '' };
  const base: Client = existing
    ? {
        ...existing,
        identity_provider: identityProvider,
        secret,
        public_key: keys.publicKey,
        private_key: keys.privateKey,
      }
    : clientWithDefaults({ id, identityProvider, secret, keyPair: keys });
  // The provider is resolved above; `{"id": null}` (how an export shows none) is not a change.
  const { identity_provider: _provider, ...otherFields } = fields;
  const parsed = parseUpdateRequest({ client: providerId ? fields : otherFields });
  if (!parsed.ok) {
    const [field, messages] = Object.entries(parsed.errors)[0] ?? ['client', ['is invalid']];
    return fail(field, messages.join(', '));
  }
  const plan = planUpdate(parsed.request, base, lookups);
  if (plan.status === 'needs-scopes')
    return fail('authorized_scopes', `names scopes the seed lacks: ${plan.names.join(', ')}`);
  if (plan.status === 'invalid') {
    const details = Object.entries(plan.errors).map(([field, messages]) => `${field} ${messages.join(', ')}`);
    throw new SeedError(`${named}: ${details.join('; ')}`);
  }
  if (!keyPair) fail('private_key', 'private_key_type is invalid');
  return { ...applyPatch(base, plan.patch), did: (fields.did as string | undefined) ?? existing?.did ?? null };
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
 * Writes a prepared seed: identity providers and scopes first, so that clients refer to them.
 * A client already stored as the seed has it is left alone (no version bump); a scope name held
 * by another scope id stops the write.
 */
export async function writeSeed(
  stores: SeedStores,
  seed: Seed,
  progress: (done: number, total: number) => void = () => {},
): Promise<SeedReport> {
  const store = stores.clients;
  const copies = new ClientCopies(store);
  await writeNamedResources(identityProviderUseCases(stores.identityProviders, store), seed.identityProviders);
  await writeNamedResources(scopeUseCases(stores.scopes, store), seed.scopes);
  const report = {
    identityProviders: seed.identityProviders.length,
    scopes: seed.scopes.length,
    clientsCreated: 0,
    clientsUpdated: 0,
    clientsUnchanged: 0,
  };
  for (const [index, client] of seed.clients.entries()) {
    const current = await store.getClient(client.id);
    if (current && isDeepStrictEqual(current.client, client)) {
      // Links are written even so: a table from before links gets them for its clients.
      await copies.link(client, current.version);
      report.clientsUnchanged += 1;
    } else {
      await copies.link(client, (current?.version ?? 0) + 1);
      await store.putClient(client);
      if (current) report.clientsUpdated += 1;
      else report.clientsCreated += 1;
    }
    progress(index + 1, seed.clients.length);
  }
  return report;
}

/**
 * Identity providers and scopes through their use cases, as the API would write them: created,
 * or changed where the id exists with another name or `public` (a rename frees the old name and
 * reaches every client that has a copy).
 */
async function writeNamedResources<T extends { id: string; name: string }>(
  useCases: NamedResources<T>,
  records: T[],
): Promise<void> {
  for (const record of records) {
    const stored = await useCases.show(record.id);
    const fields = record as unknown as Record<string, unknown>;
    const outcome = stored.status === 'ok' ? await useCases.update(record.id, fields) : await useCases.create(fields);
    if (outcome.status === 'invalid') {
      const details = Object.entries(outcome.errors).map(([field, messages]) => `${field} ${messages.join(', ')}`);
      throw new SeedError(`${record.id} (${record.name}): ${details.join('; ')}`);
    }
    if (outcome.status !== 'ok') throw new SeedError(`${record.id} (${record.name}): ${outcome.status}`);
  }
}
