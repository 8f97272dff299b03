import { isDeepStrictEqual } from 'node:util';
import type { Client, IdentityProviderLink, ScopeLink } from './client.js';
import { checkClientFields } from './client-fields.js';
import type { FieldErrors } from './field-errors.js';
import { checkImportedKeys } from './imported-keys.js';
import { attributeSize, itemSize, MAX_ITEM_BYTES } from './item-size.js';
import { checkSignatureConsistency } from './signature-consistency.js';
import type { ScopeReference, UpdateRequest } from './update-request.js';

/** What the store found for the identity provider and scopes an update request refers to. */
export interface UpdateLookups {
  identityProviders: ReadonlyMap<string, IdentityProviderLink>;
  scopesById: ReadonlyMap<string, ScopeLink>;
  scopesByName: ReadonlyMap<string, ScopeLink>;
}

/** The attributes an update sets; everything else keeps its stored value. */
export type ClientPatch = Partial<Omit<Client, 'id'>>;

export type UpdatePlan =
  | { status: 'invalid'; errors: FieldErrors }
  /**
   * `newScopeNames` must be created as scopes before the patch is written; until then the patch
   * links each by name only (`withCreatedScopeLinks` fills the ids in).
   */
  | { status: 'ready'; patch: ClientPatch; newScopeNames: string[] };

/** The ids and names an update refers to, which the store reads alongside the client. */
export function updateReferences(request: UpdateRequest): {
  identityProviderIds: string[];
  scopeIds: string[];
  scopeNames: string[];
} {
  const scopes = request.scopes ?? [];
  return {
    identityProviderIds: request.identityProvider.kind === 'replace' ? [request.identityProvider.id] : [],
    scopeIds: scopes.flatMap((scope) => ('id' in scope ? [scope.id] : [])),
    scopeNames: scopes.flatMap((scope) => ('name' in scope ? [scope.name] : [])),
  };
}

/**
 * Validates an update against the stored client (CONTRACT §4) and computes what to write.
 * Client-field errors win over identity provider errors, which are the only ones then shown.
 * The size of the item is checked here, with room for the links to scopes still to create and
 * `historyBytes` for the history the item keeps, so that nothing is created for a request that
 * cannot be written.
 */
export function planUpdate(
  request: UpdateRequest,
  stored: Client,
  lookups: UpdateLookups,
  historyBytes: number,
): UpdatePlan {
  const { changes, errors: fieldErrors } = checkClientFields(request.fields);
  checkSignatureConsistency(request.fields, changes, stored, fieldErrors);
  const patch: ClientPatch = { ...changes };
  if (request.imported && !fieldErrors.has('key_pair_type')) {
    const keyPairType = changes.key_pair_type ?? stored.key_pair_type;
    Object.assign(patch, checkImportedKeys(request.imported, keyPairType, fieldErrors));
  }
  if (!fieldErrors.isEmpty) return { status: 'invalid', errors: fieldErrors.toJSON() };

  const { identityProvider } = request;
  if (identityProvider.kind === 'invalid') {
    return { status: 'invalid', errors: { identity_provider_id: [identityProvider.message] } };
  }
  if (identityProvider.kind === 'replace') {
    const found = lookups.identityProviders.get(identityProvider.id);
    if (!found) return { status: 'invalid', errors: { identity_provider_id: ['does not exist'] } };
    patch.identity_provider = found;
  }

  let newScopeNames: string[] = [];
  if (request.scopes !== undefined) {
    newScopeNames = request.scopes.flatMap((scope) =>
      'name' in scope && !lookups.scopesByName.has(scope.name) ? [scope.name] : [],
    );
    patch.authorized_scopes = resolveScopes(request.scopes, lookups);
  }
  const tooLarge = sizeRefusal(applyPatch(stored, patch), patch, historyBytes);
  if (tooLarge) return { status: 'invalid', errors: tooLarge };
  return { status: 'ready', patch, newScopeNames };
}

const ITEM_TOO_LARGE = 'would make the client larger than the 400 KB a stored item may hold';
// Room for the item's keys and version, which the domain does not see.
const KEY_AND_VERSION_BYTES = 1024;
/** The id of a link to a scope that is still to be created: its UUID takes this many bytes. */
const PENDING_SCOPE_ID = '';
const SCOPE_ID_BYTES = 36;

/**
 * The caps keep clients written through the API small; one imported with large values could
 * still cross DynamoDB's limit. Then the largest attribute the change sets is to blame. The item
 * also keeps the client's history: `historyBytes`, the most that takes, stays free, so that no
 * later write of the client (a regeneration, a scope's rename) lacks room for its entry.
 */
export function sizeRefusal(client: Client, patch: ClientPatch, historyBytes: number): FieldErrors | undefined {
  const pendingLinks = (client.authorized_scopes ?? []).filter((scope) => scope.id === PENDING_SCOPE_ID).length;
  const size = itemSize(client) + pendingLinks * SCOPE_ID_BYTES + KEY_AND_VERSION_BYTES + historyBytes;
  if (size <= MAX_ITEM_BYTES) return undefined;
  const sizes = Object.entries(patch).map(([field, value]) => [field, attributeSize(value)] as const);
  const largest = sizes.sort((first, second) => second[1] - first[1])[0]?.[0] ?? 'resource';
  return { [largest]: [ITEM_TOO_LARGE] };
}

/** The scopes in request order, each once; a name still to create links by name only. */
function resolveScopes(references: ScopeReference[], lookups: UpdateLookups): ScopeLink[] {
  const resolved = new Map<string, ScopeLink>();
  for (const reference of references) {
    const scope =
      'id' in reference
        ? lookups.scopesById.get(reference.id)
        : (lookups.scopesByName.get(reference.name) ?? { id: PENDING_SCOPE_ID, name: reference.name, public: false });
    const key = scope?.id === PENDING_SCOPE_ID ? `name ${scope.name}` : scope?.id;
    if (scope && key && !resolved.has(key)) resolved.set(key, { id: scope.id, name: scope.name, public: scope.public });
  }
  return [...resolved.values()];
}

/**
 * The links of a patch (or client) once its new scopes exist: each pending link becomes the
 * scope created for its name (or the one a concurrent request created first), each scope once.
 */
export function withCreatedScopeLinks<T extends { authorized_scopes?: ScopeLink[] }>(
  value: T,
  created: ScopeLink[],
): T {
  if (!value.authorized_scopes) return value;
  const byName = new Map(created.map((scope) => [scope.name, scope]));
  const links = new Map<string, ScopeLink>();
  for (const link of value.authorized_scopes) {
    const scope = link.id === PENDING_SCOPE_ID ? byName.get(link.name) : link;
    if (scope && !links.has(scope.id)) links.set(scope.id, { id: scope.id, name: scope.name, public: scope.public });
  }
  return { ...value, authorized_scopes: [...links.values()] };
}

/**
 * Whether a write that landed in between changed a field this patch sets: a real conflict
 * between writers of the same field, rather than a race between writers of different fields.
 */
export function overlapsChangesBetween(patch: ClientPatch, before: Client, after: Client): boolean {
  return Object.keys(patch).some(
    (field) => !isDeepStrictEqual(before[field as keyof Client], after[field as keyof Client]),
  );
}

export function applyPatch(stored: Client, patch: ClientPatch): Client {
  return { ...stored, ...patch };
}

/** The part of a patch that changes the stored client: an update that changes nothing writes nothing. */
export function changedAttributes(stored: Client, patch: ClientPatch): ClientPatch {
  return Object.fromEntries(
    Object.entries(patch).filter(([field, value]) => !isDeepStrictEqual(stored[field as keyof Client], value)),
  );
}

/** The lookups once the scopes a plan asked for exist. */
export function withCreatedScopes(lookups: UpdateLookups, scopes: ScopeLink[]): UpdateLookups {
  const scopesByName = new Map(lookups.scopesByName);
  for (const scope of scopes) scopesByName.set(scope.name, scope);
  return { ...lookups, scopesByName };
}
