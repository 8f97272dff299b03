import { isDeepStrictEqual } from 'node:util';
import * as v from 'valibot';
import type { Client, IdentityProviderLink, ScopeLink } from './client.js';
import { CLIENT_FIELD_SCHEMAS, type ClientFieldChanges, INVALID, LIMITS } from './client-fields.js';
import { FieldErrorCollector, type FieldErrors } from './field-errors.js';
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
export type ClientPatch = Partial<Omit<Client, 'id' | 'private_key' | 'public_key' | 'did'>>;

export type UpdatePlan =
  | { status: 'invalid'; errors: FieldErrors }
  /** Names that must be created as scopes before the plan can be completed. */
  | { status: 'needs-scopes'; names: string[] }
  | { status: 'ready'; patch: ClientPatch };

const ClientChangesSchema = v.partial(v.object(CLIENT_FIELD_SCHEMAS));

/** The ids and names an update refers to, which the store reads alongside the client. */
export function updateReferences(request: UpdateRequest): {
  identityProviderIds: string[];
  scopeIds: string[];
  scopeNames: string[];
} {
  const scopes = request.scopes ?? [];
  return {
    identityProviderIds: request.identityProvider.kind === 'replace' ? [request.identityProvider.id] : [],
    scopeIds: unique(scopes.flatMap((scope) => ('id' in scope ? [scope.id] : []))),
    scopeNames: unique(scopes.flatMap((scope) => ('name' in scope ? [scope.name] : []))),
  };
}

/**
 * Validates an update against the stored client (CONTRACT §4) and computes what to write.
 * Client-field errors win over identity provider errors, which are the only ones then shown.
 */
export function planUpdate(request: UpdateRequest, stored: Client, lookups: UpdateLookups): UpdatePlan {
  const fieldErrors = new FieldErrorCollector();
  const result = v.safeParse(ClientChangesSchema, request.fields, { message: INVALID });
  for (const issue of result.issues ?? []) {
    fieldErrors.add(String(issue.path?.[0]?.key), issue.message);
  }
  const changes = result.output as ClientFieldChanges;
  checkSignatureConsistency(request.fields, changes, stored, fieldErrors);
  if (!fieldErrors.isEmpty) return { status: 'invalid', errors: fieldErrors.toJSON() };

  const patch: ClientPatch = { ...changes };
  const { identityProvider } = request;
  if (identityProvider.kind === 'invalid') {
    return { status: 'invalid', errors: { identity_provider_id: [identityProvider.message] } };
  }
  if (identityProvider.kind === 'replace') {
    const found = lookups.identityProviders.get(identityProvider.id);
    if (!found) return { status: 'invalid', errors: { identity_provider_id: ['does not exist'] } };
    patch.identity_provider = found;
  }

  if (request.scopes !== undefined) {
    if (request.scopes.length > LIMITS.listItems) {
      return { status: 'invalid', errors: { authorized_scopes: [`should have at most ${LIMITS.listItems} item(s)`] } };
    }
    const missing = unique(
      request.scopes.flatMap((scope) => ('name' in scope && !lookups.scopesByName.has(scope.name) ? [scope.name] : [])),
    );
    if (missing.length > 0) return { status: 'needs-scopes', names: missing };
    patch.authorized_scopes = resolveScopes(request.scopes, lookups);
  }
  const tooLarge = fieldThatOverflowsTheItem(stored, patch);
  if (tooLarge) return { status: 'invalid', errors: { [tooLarge]: [ITEM_TOO_LARGE] } };
  return { status: 'ready', patch };
}

const ITEM_TOO_LARGE = 'would make the client larger than the 400 KB a stored item may hold';
// Room for the item's keys and version, which the domain does not see.
const KEY_AND_VERSION_BYTES = 1024;

/**
 * The caps keep clients written through the API small; one imported with large values could
 * still cross DynamoDB's limit. Then the largest attribute the update sets is to blame.
 */
function fieldThatOverflowsTheItem(stored: Client, patch: ClientPatch): string | undefined {
  if (itemSize(applyPatch(stored, patch)) + KEY_AND_VERSION_BYTES <= MAX_ITEM_BYTES) return undefined;
  const sizes = Object.entries(patch).map(([field, value]) => [field, attributeSize(value)] as const);
  return sizes.sort((first, second) => second[1] - first[1])[0]?.[0];
}

function resolveScopes(references: ScopeReference[], lookups: UpdateLookups): ScopeLink[] {
  const resolved = new Map<string, ScopeLink>();
  for (const reference of references) {
    const scope = 'id' in reference ? lookups.scopesById.get(reference.id) : lookups.scopesByName.get(reference.name);
    if (scope && !resolved.has(scope.id))
      resolved.set(scope.id, { id: scope.id, name: scope.name, public: scope.public });
  }
  return [...resolved.values()];
}

function unique<T>(items: T[]): T[] {
  return [...new Set(items)];
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

/** The lookups once the scopes a plan asked for exist. */
export function withCreatedScopes(lookups: UpdateLookups, scopes: ScopeLink[]): UpdateLookups {
  const scopesByName = new Map(lookups.scopesByName);
  for (const scope of scopes) scopesByName.set(scope.name, scope);
  return { ...lookups, scopesByName };
}
