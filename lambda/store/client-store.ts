import type { Client, IdentityProviderLink, ScopeLink, VersionedClient } from '../domain/client.js';
import type { CopyKind } from '../domain/client-copies.js';
import type { ChangeOrigin, HistoryAction, HistoryEntry } from '../domain/history-entry.js';
import type { UpdateLookups } from '../domain/update-plan.js';

/**
 * A client as a read of its whole item found it: with the history slots left past the ring's
 * capacity (when it was lowered) that the next write clears (history-ring.ts leftoverSlots).
 */
export interface StoredClient extends VersionedClient {
  leftoverSlots?: readonly number[];
}

/** What an update reads in one round trip: the client and what the request refers to. */
export interface UpdateReads {
  client: StoredClient | undefined;
  /** The id is held by a deleted client whose history is still kept: it cannot be created again yet. */
  heldByDeleted: boolean;
  lookups: UpdateLookups;
}

/**
 * What a write records in the client's history besides the change: which kind of write, who
 * made it and from where. The store builds the entry from it, the client before the write and
 * the change, with the version the write sets, in the same conditional write (history-ring.ts).
 */
export interface RecordedChange {
  action: HistoryAction;
  origin: ChangeOrigin;
}

/** Clients read by id: those that exist, and the versions of those deleted within the retention. */
export interface ClientReads {
  clients: Map<string, VersionedClient>;
  deleted: Map<string, number>;
}

export interface UpdateReferences {
  identityProviderIds: string[];
  scopeIds: string[];
  scopeNames: string[];
}

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

export type LinkPut = Pick<ClientLink, 'clientVersion' | 'attempt' | 'linkedAt'> & { replacesBefore: number };

/** When a link may be deleted: every clause given must hold. */
export interface LinkCondition {
  /** No write of a later client version put it again. */
  maxClientVersion?: number;
  /** Nobody put it again since that attempt did. */
  attempt?: string;
}

export type DeleteResult =
  /** `client`: the client as it was, with the version of its tombstone. */
  { status: 'deleted'; client: VersionedClient } | { status: 'version-mismatch' };

/**
 * The persistence the clients API needs. One adapter implements it (DynamoDB); tests and the
 * local server use that same adapter against an embedded engine.
 */
export interface ClientStore {
  /**
   * The most a client's item holds beside the client: its history ring when full. The item-size
   * checks keep that much free, so that every later write of a client has room for its entry.
   */
  readonly historyBytes: number;
  /** The client (a deleted one counts as missing) and what the request refers to, in one round trip. */
  readForUpdate(clientId: string, references: UpdateReferences): Promise<UpdateReads>;
  /**
   * What an update refers to, read again (consistently) after its links were put. A name counts
   * only when its lock points at a scope that carries it and is not being deleted; the scopes
   * the names pointed at before (`scopeIdsOfNames`) are read in the same round trip.
   */
  readLookups(references: UpdateReferences, scopeIdsOfNames: readonly string[]): Promise<UpdateLookups>;
  /**
   * A client, never its history; undefined when it does not exist or was deleted. With
   * `withoutPrivateKey`, the private key is never read (left out by a projection): for answers,
   * which never show it, and for changes that do not need it.
   */
  getClient(clientId: string, options?: { withoutPrivateKey?: boolean }): Promise<VersionedClient | undefined>;
  /** Clients without their private keys and histories, and which of the others were deleted. */
  getClients(clientIds: readonly string[]): Promise<ClientReads>;
  /**
   * A client's history, newest first: also a deleted client's, until its retention is over;
   * undefined for an id that has no client and no history to show.
   */
  getHistory(clientId: string): Promise<HistoryEntry[] | undefined>;
  /** The scope of each name, created (public: false) where none exists; safe under races. */
  ensureScopes(names: string[]): Promise<ScopeLink[]>;
  /**
   * The one conditional write of a client change: writes the patch over `current` only if the
   * stored version is still `current.version` (and the client not deleted), bumps the version,
   * and records the change's history entry in the same write. Only the written attributes are
   * read back: the answer is `current` with them, so what the read left out stays unread.
   */
  writePatch(current: StoredClient, patch: ClientAttributes, change: RecordedChange): Promise<PatchResult>;
  /**
   * Clients in id order, after `afterId`, never with their private keys: `limit` of them, or
   * without a limit one page of DynamoDB's (at most 1 MB read), with the id to continue after.
   */
  listClients(options: { limit?: number; afterId?: string }): Promise<ClientPage>;
  /**
   * Stores a new client at version 1 with its history entry, unless its id is taken (race-free):
   * by a client, or by a deleted one whose history is still kept.
   */
  createClient(
    client: Client,
    change: RecordedChange,
  ): Promise<{ status: 'created'; client: VersionedClient } | { status: 'exists' }>;
  /**
   * Deletes `current` if it is still at its version: the client's fields go, its history stays
   * readable, with the delete's entry, until the retention is over (a tombstone).
   */
  deleteClient(current: VersionedClient, change: RecordedChange): Promise<DeleteResult>;
  /**
   * Puts the client's links to `targets` for the write of `link.clientVersion`. A link never goes
   * back to a lower version, unless it was put before `link.replacesBefore`: then no write in
   * flight holds it (a dead writer's, or a deleted client's whose id was taken again).
   */
  putLinks(clientId: string, targets: Record<CopyKind, string[]>, link: LinkPut): Promise<void>;
  /** Every link to a scope or identity provider, reading every page. */
  linksTo(kind: CopyKind, targetId: string): Promise<ClientLink[]>;
  /** Deletes links, each only while `condition` holds for it (all of them without one). */
  deleteLinks(links: Pick<ClientLink, 'kind' | 'targetId' | 'clientId'>[], condition?: LinkCondition): Promise<void>;
  /** Creates or overwrites a client as given, recording `change`: for seeding benchmarks and tests. */
  putClient(client: Client, change: RecordedChange): Promise<VersionedClient>;
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
