import { isDeepStrictEqual } from 'node:util';
import type { Client, IdentityProviderLink, ScopeLink } from './client.js';
import type { ClientPatch } from './update-plan.js';
import type { UpdateRequest } from './update-request.js';

/**
 * A client keeps a copy of each scope it authorizes (`{id, name, public}`) and of its identity
 * provider (`{id, name}`), so that reading a client is one item. These are the pure rules of
 * keeping those copies right; lambda/app/client-copies.ts holds the protocol that applies them.
 */

export type CopyKind = 'scope' | 'identity-provider';

export type CopiedAttributes = Pick<ClientPatch, 'authorized_scopes' | 'identity_provider'>;

/** What copies are taken from, as read now; `undefined` for one that is gone or being deleted. */
export interface CopySources {
  scopes: ReadonlyMap<string, ScopeLink | undefined>;
  identityProviders: ReadonlyMap<string, IdentityProviderLink | undefined>;
}

export const NO_SOURCES: CopySources = { scopes: new Map(), identityProviders: new Map() };

/** The ids of the scopes and the identity provider that a client or a patch copies. */
export function copyTargets(copies: CopiedAttributes): Record<CopyKind, string[]> {
  return {
    scope: (copies.authorized_scopes ?? []).map((scope) => scope.id),
    'identity-provider': copies.identity_provider?.id ? [copies.identity_provider.id] : [],
  };
}

export function holdsCopy(client: Client, kind: CopyKind, id: string): boolean {
  return copyTargets(client)[kind].includes(id);
}

/**
 * The patch without the copies that equal the stored ones. Writing those would change nothing,
 * and an update that leaves the copies alone needs neither links nor a second read: the admin
 * UI sends every scope and the provider back on each save.
 */
export function withoutUnchangedCopies(patch: ClientPatch, stored: Client): ClientPatch {
  const changed = { ...patch };
  if (changed.authorized_scopes && isDeepStrictEqual(changed.authorized_scopes, stored.authorized_scopes ?? [])) {
    delete changed.authorized_scopes;
  }
  if (changed.identity_provider && isDeepStrictEqual(changed.identity_provider, stored.identity_provider)) {
    delete changed.identity_provider;
  }
  return changed;
}

export function setsCopies(patch: ClientPatch): boolean {
  return patch.authorized_scopes !== undefined || patch.identity_provider !== undefined;
}

/**
 * The client's copies brought up to date with `sources`, for the ids the sources know: a scope
 * that is gone is dropped, a renamed one (or one whose `public` changed) is replaced where it
 * stands, the provider's copy follows its name. A provider is never dropped: one cannot be
 * deleted while a client links it. Empty when every copy is current.
 */
export function refreshedCopies(client: Client, sources: CopySources): CopiedAttributes {
  const patch: CopiedAttributes = {};
  const scopes = client.authorized_scopes ?? [];
  const refreshed = scopes.flatMap((copy) => {
    if (!sources.scopes.has(copy.id)) return [copy];
    const source = sources.scopes.get(copy.id);
    return source ? [{ id: source.id, name: source.name, public: source.public }] : [];
  });
  if (!isDeepStrictEqual(refreshed, scopes)) patch.authorized_scopes = refreshed;
  const provider = client.identity_provider;
  const source = provider ? sources.identityProviders.get(provider.id) : undefined;
  if (provider && source && source.name !== provider.name) {
    patch.identity_provider = { id: source.id, name: source.name };
  }
  return patch;
}

/**
 * What a client's history calls a write that brings its copies up to date (refreshedCopies):
 * the change of the resource it follows. A scope dropped means its delete, a scope copy
 * replaced its rename (or change of `public`), else the provider's rename.
 */
export function copiesRefreshAction(
  client: Client,
  patch: CopiedAttributes,
): 'scope_deleted' | 'scope_renamed' | 'identity_provider_renamed' {
  if (!patch.authorized_scopes) return 'identity_provider_renamed';
  const kept = new Set(patch.authorized_scopes.map((scope) => scope.id));
  return (client.authorized_scopes ?? []).some((scope) => !kept.has(scope.id)) ? 'scope_deleted' : 'scope_renamed';
}

/**
 * A request naming the provider the client already links keeps it as it is: re-linking it
 * changes nothing (the provider's copy is the fan-out's to refresh), and a provider that a
 * refused delete had marked for a moment must not turn the client's save into a 422.
 */
export function keepingStoredIdentityProvider(request: UpdateRequest, stored: Client): UpdateRequest {
  const { identityProvider } = request;
  return identityProvider.kind === 'replace' && identityProvider.id === stored.identity_provider?.id
    ? { ...request, identityProvider: { kind: 'keep' } }
    : request;
}
