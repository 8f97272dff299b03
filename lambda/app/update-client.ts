import type { VersionedClient } from '../domain/client.js';
import { keepingStoredIdentityProvider } from '../domain/client-copies.js';
import type { FieldErrors } from '../domain/field-errors.js';
import type { ChangeOrigin, HistoryAction } from '../domain/history-entry.js';
import { overlapsChangesBetween, planUpdate, type UpdateLookups, updateReferences } from '../domain/update-plan.js';
import type { UpdateRequest } from '../domain/update-request.js';
import type { ClientStore, UpdateReads, UpdateReferences } from '../store/client-store.js';
import { ClientCopies } from './client-copies.js';
import { withPlannedScopes } from './planned-scopes.js';
import { WriteProtection } from './write-protection.js';

export type UpdateOutcome =
  /** `retries`: the conditional writes that lost a race before this one landed. */
  | { status: 'updated'; client: VersionedClient; retries: number }
  /** The request changes nothing the client holds: nothing was written, the version stays. */
  | { status: 'unchanged'; client: VersionedClient }
  | { status: 'not-found' }
  | { status: 'write-protected' }
  | { status: 'invalid'; errors: FieldErrors }
  | { status: 'precondition-failed' }
  /** Concurrent writers kept winning until the attempts ran out. */
  | { status: 'conflict'; retries: number };

export interface UpdateClientOptions {
  protectedClientIds: readonly string[];
  /** What the history calls the change: `updated`, or `imported` for `npm run import`. */
  action?: Extract<HistoryAction, 'updated' | 'imported'>;
  /** Conditional writes tried before giving up with a conflict. */
  maxWriteAttempts?: number;
  /** Upper bound of the first jittered pause after a real conflict, doubled at each one. */
  retryBaseDelayMs?: number;
}

const DEFAULT_MAX_WRITE_ATTEMPTS = 200;
const DEFAULT_RETRY_BASE_DELAY_MS = 5;
const MAX_RETRY_DELAY_MS = 50;

/**
 * Update a client (CONTRACT §4): one consistent read of the client and what the request refers
 * to, then one write conditional on the version read. When another writer got there first, the
 * same change is validated and applied again on the item that won (DynamoDB returns it with the
 * failed write), so concurrent updates of different fields all survive and losing costs one
 * write more, not a pause and a read; with `If-Match`, the caller's version decides instead.
 * Between plan and write, the copies step (client-copies.ts) links the client to the scopes and
 * provider whose copies the write changes and plans them again from a fresh read. Each attempt's
 * write records its own history entry, built by the store from the client that attempt read.
 */
export class UpdateClient {
  readonly #writeProtection: WriteProtection;
  readonly #copies: ClientCopies;
  readonly #maxWriteAttempts: number;
  readonly #retryBaseDelayMs: number;
  readonly #action: Extract<HistoryAction, 'updated' | 'imported'>;

  constructor(
    private readonly store: ClientStore,
    options: UpdateClientOptions,
  ) {
    this.#writeProtection = new WriteProtection(options.protectedClientIds);
    this.#copies = new ClientCopies(store);
    this.#maxWriteAttempts = options.maxWriteAttempts ?? DEFAULT_MAX_WRITE_ATTEMPTS;
    this.#retryBaseDelayMs = options.retryBaseDelayMs ?? DEFAULT_RETRY_BASE_DELAY_MS;
    this.#action = options.action ?? 'updated';
  }

  async execute(
    clientId: string,
    given: UpdateRequest,
    origin: ChangeOrigin,
    ifMatch?: (version: number) => boolean,
  ): Promise<UpdateOutcome> {
    const references = updateReferences(given);
    let { client: current, lookups } = await this.store.readForUpdate(clientId, references);
    if (current && this.#writeProtection.covers(clientId)) return { status: 'write-protected' };

    let conflicts = 0;
    for (let attempt = 1; current; attempt += 1) {
      const request = keepingStoredIdentityProvider(given, current.client);
      const plan = planUpdate(request, current.client, lookups, this.store.historyBytes);
      if (plan.status === 'invalid') return plan;
      if (ifMatch && !ifMatch(current.version)) return { status: 'precondition-failed' };
      const planned = await withPlannedScopes(this.store, plan, lookups);
      // The copies of scopes and provider: a step of its own (client-copies.ts). Changing them
      // puts links and reads what they copy again, which may plan other copies.
      const prepared = await this.#copies.prepare(current, request, planned.patch, planned.lookups);
      if (prepared.status === 'invalid') return { status: 'invalid', errors: prepared.errors };
      lookups = prepared.lookups;
      const changes = prepared.patch;
      if (Object.keys(changes).length === 0) return { status: 'unchanged', client: current };
      const result = await this.store.writePatch(current, changes, { action: this.#action, origin });
      if (result.status === 'written') return { status: 'updated', client: result.client, retries: attempt - 1 };
      if (attempt >= this.#maxWriteAttempts) return { status: 'conflict', retries: attempt - 1 };

      // Engines that ignore ReturnValuesOnConditionCheckFailure (dynalite) return no item: read it.
      let next = result.current ? { client: result.current, lookups } : await this.#read(clientId, references, lookups);
      if (next.client && !ifMatch && overlapsChangesBetween(changes, current.client, next.client.client)) {
        // A real conflict: the winner set a field this request sets too. Spread the writers of
        // that field, then start from what is stored by then.
        conflicts += 1;
        await new Promise((resolve) => setTimeout(resolve, this.#retryDelay(conflicts)));
        next = await this.#read(clientId, references, lookups);
      } else if (result.current && refersToAny(references)) {
        // A scope or the identity provider may have been renamed since the first read: the
        // re-plan must not write a copy older than the one the item holds now.
        next = await this.#read(clientId, references, lookups);
      }
      ({ client: current, lookups } = next);
    }
    return { status: 'not-found' };
  }

  /** The client as stored now, and fresh lookups when the request refers to any. */
  async #read(
    clientId: string,
    references: UpdateReferences,
    lookups: UpdateLookups,
  ): Promise<Pick<UpdateReads, 'client' | 'lookups'>> {
    if (refersToAny(references)) return this.store.readForUpdate(clientId, references);
    return { client: await this.store.getClient(clientId), lookups };
  }

  /** "Full jitter" backoff: spreads the writers that keep setting the same fields. */
  #retryDelay(conflicts: number): number {
    return Math.random() * Math.min(MAX_RETRY_DELAY_MS, this.#retryBaseDelayMs * 2 ** (conflicts - 1));
  }
}

function refersToAny(references: UpdateReferences): boolean {
  return Object.values(references).some((list) => list.length > 0);
}
