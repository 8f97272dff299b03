import type { Client, IdentityProviderLink, ScopeLink, VersionedClient } from '../domain/client.js';
import type { CopyKind } from '../domain/client-copies.js';
import type { UpdateLookups } from '../domain/update-plan.js';

/** What an update reads in one round trip: the client and what the request refers to. */
export interface UpdateReads {
  client: VersionedClient | undefined;
  lookups: UpdateLookups;
}

export interface UpdateReferences {
  identityProviderIds: string[];
  scopeIds: string[];
  scopeNames: string[];
}

export type EnsuredScopes = { status: 'ensured'; scopes: ScopeLink[] } | { status: 'limit-reached'; quota: number };

/** What a write may set: any attribute but the id (keys and did only through their routes). */
export type ClientAttributes = Partial<Omit<Client, 'id'>>;

export interface ClientPage {
  clients: VersionedClient[];
  /** The id to continue after, when more clients follow. */
  lastId?: string;
}

export type PatchResult =
  | { status: 'written'; client: VersionedClient }
  /**
   * The stored version was not the expected one (or the client is gone). `current` is the item
   * the engine reported with the failure, when it does (DynamoDB does, dynalite does not).
   */
  | { status: 'version-mismatch'; current?: VersionedClient };

/**
 * A client's link to a scope or identity provider it copies, put before the client write that
 * sets the copy, so that a rename or delete of the resource finds every client to bring up to
 * date (lambda/app/client-copies.ts).
 */
export interface ClientLink {
  kind: CopyKind;
  targetId: string;
  clientId: string;
  /** The version of the client write this link was put for. */
  clientVersion: number;
  /** When it was put (ms since the epoch). */
  linkedAt: number;
  /** A token of the attempt that put it, unique to that put. */
  attempt: string;
}

/** When a link may be deleted: every clause given must hold. */
export interface LinkCondition {
  /** No write of a later client version put it again. */
  maxClientVersion?: number;
  linkedBefore?: number;
  /** Nobody put it again since that attempt did. */
  attempt?: string;
}

export type DeleteResult =
  | { status: 'deleted'; client: VersionedClient }
  | { status: 'missing' }
  | { status: 'version-mismatch' };

/**
 * The persistence the clients API needs. One adapter implements it (DynamoDB); tests and the
 * local server use that same adapter against an embedded engine.
 */
export interface ClientStore {
  readForUpdate(clientId: string, references: UpdateReferences): Promise<UpdateReads>;
  /**
   * What an update refers to, read again (consistently) after its links were put. A name counts
   * only when its lock points at a scope that carries it and is not being deleted; the scopes
   * the names pointed at before (`scopeIdsOfNames`) are read in the same round trip.
   */
  readLookups(references: UpdateReferences, scopeIdsOfNames: readonly string[]): Promise<UpdateLookups>;
  /**
   * A client. With `withoutPrivateKey`, the private key is never read (left out by a projection):
   * for answers, which never show it, and for changes that do not need it.
   */
  getClient(clientId: string, options?: { withoutPrivateKey?: boolean }): Promise<VersionedClient | undefined>;
  getClients(clientIds: readonly string[]): Promise<Map<string, VersionedClient>>;
  /**
   * The scope of each name, created (public: false) where none exists; safe under races. None
   * is created when they would pass the scopes' quota (`limit-reached`, with the quota).
   */
  ensureScopes(names: string[]): Promise<EnsuredScopes>;
  /**
   * Writes the patch only if the stored version is `expectedVersion`, and bumps the version.
   * Given `base`, the client as read at that version, only the written attributes are read back
   * and the answer is `base` with them: what the read left out stays unread.
   */
  writePatch(clientId: string, patch: ClientAttributes, expectedVersion: number, base?: Client): Promise<PatchResult>;
  /**
   * Clients in id order, after `afterId`, never with their private keys: `limit` of them, or
   * without a limit one page of DynamoDB's (at most 1 MB read), with the id to continue after.
   */
  listClients(options: { limit?: number; afterId?: string }): Promise<ClientPage>;
  /** Stores a new client at version 1, unless one with its id exists (race-free). */
  createClient(client: Client): Promise<{ status: 'created'; client: VersionedClient } | { status: 'exists' }>;
  /** Deletes a client, only at `expectedVersion` when given; the item deleted. */
  deleteClient(clientId: string, expectedVersion?: number): Promise<DeleteResult>;
  putLinks(
    clientId: string,
    targets: Record<CopyKind, string[]>,
    link: Pick<ClientLink, 'clientVersion' | 'attempt' | 'linkedAt'>,
  ): Promise<void>;
  /** Every link to a scope or identity provider, reading every page. */
  linksTo(kind: CopyKind, targetId: string): Promise<ClientLink[]>;
  /** Deletes links, each only while `condition` holds for it (all of them without one). */
  deleteLinks(links: Pick<ClientLink, 'kind' | 'targetId' | 'clientId'>[], condition?: LinkCondition): Promise<void>;
  putClient(client: Client): Promise<VersionedClient>;
  putIdentityProvider(identityProvider: IdentityProviderLink): Promise<void>;
  putScope(scope: ScopeLink): Promise<'written' | 'name-taken'>;
}

/** The store could not answer in time (throttling, timeouts, network): worth retrying later. */
export class StoreUnavailableError extends Error {
  constructor(cause: unknown) {
    super('The store is unavailable', { cause });
    this.name = 'StoreUnavailableError';
  }
}
