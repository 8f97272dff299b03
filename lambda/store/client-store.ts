import type { Client, IdentityProviderLink, ScopeLink, VersionedClient } from '../domain/client.js';
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
 * The persistence the clients API needs. One adapter implements it (DynamoDB); tests and the
 * local server use that same adapter against an embedded engine.
 */
export interface ClientStore {
  readForUpdate(clientId: string, references: UpdateReferences): Promise<UpdateReads>;
  /**
   * A client. With `withoutPrivateKey`, the private key is never read (left out by a projection):
   * for answers, which never show it, and for changes that do not need it.
   */
  getClient(clientId: string, options?: { withoutPrivateKey?: boolean }): Promise<VersionedClient | undefined>;
  /** The scope of each name, created (public: false) where none exists; safe under races. */
  ensureScopes(names: string[]): Promise<ScopeLink[]>;
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
  /** Deletes a client, only at `expectedVersion` when given. */
  deleteClient(clientId: string, expectedVersion?: number): Promise<'deleted' | 'missing' | 'version-mismatch'>;
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
