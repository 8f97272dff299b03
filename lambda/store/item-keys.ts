import type { CopyKind } from '../domain/client-copies.js';
import type { Key } from './dynamodb-table.js';
import { ITEM_KINDS, type ItemKind } from './table-definition.js';

/** The partition of the links from clients to a kind of copied resource. */
export const LINK_KINDS: Record<CopyKind, ItemKind> = {
  scope: ITEM_KINDS.scopeLink,
  'identity-provider': ITEM_KINDS.identityProviderLink,
};

/**
 * Item keys: `pk` = the kind (ITEM_KINDS), `sk` = the id (or name). One partition per kind lets a
 * list be a strongly consistent Query; DynamoDB splits a busy partition by sort key, and an admin
 * API writes little.
 */
export const itemKeys = {
  client: (id: string): Key => ({ pk: ITEM_KINDS.client, sk: id }),
  identityProvider: (id: string): Key => ({ pk: ITEM_KINDS.identityProvider, sk: id }),
  scope: (id: string): Key => ({ pk: ITEM_KINDS.scope, sk: id }),
  /** Scope names are unique: this item is the lock that makes creation by name race-free. */
  scopeName: (name: string): Key => ({ pk: ITEM_KINDS.scopeName, sk: name }),
  /** A client that copies a resource: `<resource id>#<client id>`, found by the resource's prefix. */
  link: (kind: CopyKind, targetId: string, clientId: string): Key => ({
    pk: LINK_KINDS[kind],
    sk: `${targetId}#${clientId}`,
  }),
};
