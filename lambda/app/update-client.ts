import { setTimeout as sleep } from 'node:timers/promises';
import type { VersionedClient } from '../domain/client.js';
import type { FieldErrors } from '../domain/field-errors.js';
import {
  changedAttributes,
  planUpdate,
  updateReferences,
  withCreatedScopeLinks,
  withCreatedScopes,
} from '../domain/update-plan.js';
import type { UpdateRequest } from '../domain/update-request.js';
import type { ClientStore } from '../store/client-store.js';
import { WriteProtection } from './write-protection.js';

export type UpdateOutcome =
  | { status: 'updated'; client: VersionedClient }
  /** The request changes nothing the client holds: nothing was written, the version stays. */
  | { status: 'unchanged'; client: VersionedClient }
  | { status: 'not-found' }
  | { status: 'write-protected' }
  | { status: 'invalid'; errors: FieldErrors }
  | { status: 'precondition-failed' }
  /** Concurrent writers kept winning until the attempts ran out. */
  | { status: 'conflict' };

export interface UpdateClientOptions {
  protectedClientIds: readonly string[];
  /** Conditional writes tried before giving up with a conflict. */
  maxWriteAttempts?: number;
  /** Upper bound of the first jittered pause between attempts, doubled at each retry. */
  retryBaseDelayMs?: number;
}

const DEFAULT_MAX_WRITE_ATTEMPTS = 50;
const DEFAULT_RETRY_BASE_DELAY_MS = 5;
const MAX_RETRY_DELAY_MS = 50;

/**
 * Update a client (CONTRACT §4): one consistent read of the client and what the request refers
 * to, then one write conditional on the version read. When another writer got there first, the
 * same change is validated and applied again on what is stored now, so concurrent updates of
 * different fields all survive; with `If-Match`, the caller's version decides instead.
 */
export class UpdateClient {
  readonly #writeProtection: WriteProtection;
  readonly #maxWriteAttempts: number;
  readonly #retryBaseDelayMs: number;

  constructor(
    private readonly store: ClientStore,
    options: UpdateClientOptions,
  ) {
    this.#writeProtection = new WriteProtection(options.protectedClientIds);
    this.#maxWriteAttempts = options.maxWriteAttempts ?? DEFAULT_MAX_WRITE_ATTEMPTS;
    this.#retryBaseDelayMs = options.retryBaseDelayMs ?? DEFAULT_RETRY_BASE_DELAY_MS;
  }

  async execute(
    clientId: string,
    request: UpdateRequest,
    ifMatch?: (version: number) => boolean,
  ): Promise<UpdateOutcome> {
    const reads = await this.store.readForUpdate(clientId, updateReferences(request));
    let current = reads.client;
    let lookups = reads.lookups;
    if (current && this.#writeProtection.covers(clientId)) return { status: 'write-protected' };

    for (let attempt = 1; current; attempt += 1) {
      const plan = planUpdate(request, current.client, lookups);
      if (plan.status === 'invalid') return plan;
      if (ifMatch && !ifMatch(current.version)) return { status: 'precondition-failed' };
      let { patch } = plan;
      if (plan.newScopeNames.length > 0) {
        const created = await this.store.ensureScopes(plan.newScopeNames);
        lookups = withCreatedScopes(lookups, created);
        patch = withCreatedScopeLinks(patch, created);
      }
      const changes = changedAttributes(current.client, patch);
      if (Object.keys(changes).length === 0) return { status: 'unchanged', client: current };

      const result = await this.store.writePatch(clientId, changes, current.version);
      if (result.status === 'written') return { status: 'updated', client: result.client };
      if (attempt >= this.#maxWriteAttempts) return { status: 'conflict' };
      if (ifMatch) {
        current = result.current ?? (await this.store.getClient(clientId));
      } else {
        // Pause first, then read what is stored by then: a fresher base loses fewer races.
        await sleep(this.#retryDelay(attempt));
        current = await this.store.getClient(clientId);
      }
    }
    return { status: 'not-found' };
  }

  /** "Full jitter" backoff: spreads the writers that lost the same race. */
  #retryDelay(attempt: number): number {
    return Math.random() * Math.min(MAX_RETRY_DELAY_MS, this.#retryBaseDelayMs * 2 ** (attempt - 1));
  }
}
