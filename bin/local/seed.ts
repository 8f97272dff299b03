import { readFile } from 'node:fs/promises';
import { isDeepStrictEqual } from 'node:util';
import * as v from 'valibot';
import type { Client, IdentityProviderLink, ScopeLink } from '../../lambda/domain/client.js';
import {
  clientWithDefaults,
  DEFAULT_KEY_PAIR_TYPE,
  generateClientSecret,
} from '../../lambda/domain/client-defaults.js';
import { isPlainObject } from '../../lambda/domain/client-fields.js';
import { generateKeyPairFor } from '../../lambda/domain/key-pairs.js';
import { applyPatch, planUpdate, type UpdateLookups } from '../../lambda/domain/update-plan.js';
import { parseUpdateRequest } from '../../lambda/domain/update-request.js';
import { canonicalUuid } from '../../lambda/domain/uuid.js';
import type { ClientStore } from '../../lambda/store/client-store.js';

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
  identityProviders: IdentityProviderLink[];
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
  const providerId = canonicalUuid((fields.identity_provider as { id?: unknown } | undefined)?.id);
  if (!providerId && !existing?.identity_provider) fail('identity_provider_id', "can't be blank");
  const identityProvider = providerId
    ? (lookups.identityProviders.get(providerId) ?? fail('identity_provider_id', 'does not exist'))
    : (existing?.identity_provider as IdentityProviderLink);
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
  const parsed = parseUpdateRequest({ client: fields });
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

/**
 * Writes a prepared seed: identity providers and scopes first, so that clients refer to them.
 * A client already stored as the seed has it is left alone (no version bump); a scope name held
 * by another scope id stops the write.
 */
export async function writeSeed(
  store: ClientStore,
  seed: Seed,
  progress: (done: number, total: number) => void = () => {},
): Promise<SeedReport> {
  await Promise.all(seed.identityProviders.map((provider) => store.putIdentityProvider(provider)));
  for (const scope of seed.scopes) {
    if ((await store.putScope(scope)) === 'name-taken') {
      throw new SeedError(`scope ${scope.id}: the name ${scope.name} belongs to another scope`);
    }
  }
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
      report.clientsUnchanged += 1;
    } else {
      await store.putClient(client);
      if (current) report.clientsUpdated += 1;
      else report.clientsCreated += 1;
    }
    progress(index + 1, seed.clients.length);
  }
  return report;
}
