import type { CopyKind } from '../domain/client-copies.js';
import type { Key } from './dynamodb-table.js';

/**
 * Item keys: `pk` = the kind, `sk` = the id (or name). One partition per kind lets a list be a
 * strongly consistent Query; DynamoDB splits a busy partition by sort key, and an admin API
 * writes little.
 */
export const KINDS = {
  client: 'CLIENT',
  identityProvider: 'IDENTITY_PROVIDER',
  identityProviderName: 'IDENTITY_PROVIDER_NAME',
  identityProviderLink: 'IDENTITY_PROVIDER_LINK',
  scope: 'SCOPE',
  scopeName: 'SCOPE_NAME',
  scopeLink: 'SCOPE_LINK',
} as const;

/** The partition of the links from clients to a kind of copied resource. */
export const LINK_KINDS: Record<CopyKind, string> = {
  scope: KINDS.scopeLink,
  'identity-provider': KINDS.identityProviderLink,
};

export const itemKeys = {
  client: (id: string): Key => ({ pk: KINDS.client, sk: id }),
  identityProvider: (id: string): Key => ({ pk: KINDS.identityProvider, sk: id }),
  scope: (id: string): Key => ({ pk: KINDS.scope, sk: id }),
  /** Scope names are unique: this item is the lock that makes creation by name race-free. */
  scopeName: (name: string): Key => ({ pk: KINDS.scopeName, sk: name }),
  /** A client that copies a resource: `<resource id>#<client id>`, found by the resource's prefix. */
  link: (kind: CopyKind, targetId: string, clientId: string): Key => ({
    pk: LINK_KINDS[kind],
    sk: `${targetId}#${clientId}`,
  }),
};
