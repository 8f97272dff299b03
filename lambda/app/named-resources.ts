import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { isDeepStrictEqual } from 'node:util';
import type { IdentityProviderLink, ScopeLink } from '../domain/client.js';
import type { CopyKind } from '../domain/client-copies.js';
import type { FieldErrors } from '../domain/field-errors.js';
import type { ChangeOrigin, HistoryAction } from '../domain/history-entry.js';
import { byName, type ChangesPlan, type CreatePlan, TAKEN } from '../domain/named-resource.js';
import type { ClientStore } from '../store/client-store.js';
import type { NamedRecord, NamedResourceStore, StoredResource } from '../store/named-resource-store.js';
import { CopyFanOut } from './copy-fan-out.js';

/** What distinguishes one kind of named resource (scopes, identity providers) from another. */
export interface NamedResourceKind<T extends NamedRecord> {
  copyKind: CopyKind;
  /** What the history of a client calls the write that brings its copy up to date. */
  copyChangeAction: Extract<HistoryAction, 'scope_renamed' | 'identity_provider_renamed'>;
  planCreate(fields: Record<string, unknown>): CreatePlan<Omit<T, 'id'>>;
  planChanges(fields: Record<string, unknown>): ChangesPlan<Omit<T, 'id'>>;
  /** What a client keeps of the resource. */
  copyOf(record: T): ScopeLink | IdentityProviderLink;
  /** Resources that update and delete refuse to touch. */
  isWriteProtected(record: T): boolean;
}

export type ResourceOutcome<T extends NamedRecord> =
  | { status: 'ok'; resource: StoredResource<T> }
  | { status: 'not-found' }
  | { status: 'write-protected' }
  | { status: 'invalid'; errors: FieldErrors }
  | { status: 'precondition-failed' }
  | { status: 'conflict' };

const MAX_ATTEMPTS = 10;
const MAX_RETRY_DELAY_MS = 50;

/**
 * List, show, create and update of a named resource. Names stay unique through their lock
 * items; a rename reserves the new name (after recording it as pending, so that nobody takes the
 * reservation for a stale lock), writes the resource, frees the old name, and then brings every
 * client's copy up to date before answering (copy-fan-out.ts). Each step is one conditional
 * write, and the resource keeps a mark until its copies are done: the same request sent again
 * after a crash completes what the first one began.
 */
export class NamedResources<T extends NamedRecord> {
  readonly #fanOut: CopyFanOut;

  constructor(
    private readonly store: NamedResourceStore<T>,
    clients: ClientStore,
    private readonly kind: NamedResourceKind<T>,
  ) {
    this.#fanOut = new CopyFanOut(clients);
  }

  /** Every resource, sorted by name (byte order). */
  async list(): Promise<StoredResource<T>[]> {
    return (await this.store.list()).sort((first, second) => byName(first.record, second.record));
  }

  async show(id: string): Promise<ResourceOutcome<T>> {
    const resource = await this.store.get(id);
    return resource ? { status: 'ok', resource } : { status: 'not-found' };
  }

  async create(fields: Record<string, unknown>): Promise<ResourceOutcome<T>> {
    const plan = this.kind.planCreate(fields);
    if (plan.status === 'invalid') return plan;
    const record = { ...plan.record, id: plan.id ?? randomUUID() } as T;
    if (plan.id && (await this.store.get(plan.id))) return { status: 'invalid', errors: { id: [TAKEN] } };
    const reservation = await this.store.reserveName(record.name, record.id, record);
    if (reservation.status === 'taken') return { status: 'invalid', errors: { name: [TAKEN] } };
    if ((await this.store.create(record)) === 'exists') {
      // Completed from the lock by a request that found it first, or an id taken meanwhile.
      const stored = await this.store.get(record.id);
      if (stored && isDeepStrictEqual(stored.record, record)) return { status: 'ok', resource: stored };
      await this.store.releaseName(record.name, record.id);
      return { status: 'invalid', errors: { id: [TAKEN] } };
    }
    return { status: 'ok', resource: { record, version: 1, copiesPending: false } };
  }

  /** `origin`: the request, which the histories of the clients whose copies change name. */
  async update(
    id: string,
    fields: Record<string, unknown>,
    origin: ChangeOrigin,
    ifMatch?: (version: number) => boolean,
  ): Promise<ResourceOutcome<T>> {
    let reservedName: string | undefined;
    for (let attempt = 1; attempt <= MAX_ATTEMPTS; attempt += 1) {
      const outcome = await this.#updateOnce(id, fields, origin, ifMatch, (name) => {
        reservedName = name;
      });
      if (outcome === 'retry') {
        // Full jitter: two renames that keep displacing each other's pending name drift apart.
        await sleep(Math.random() * Math.min(MAX_RETRY_DELAY_MS, 2 ** attempt));
        continue;
      }
      if (outcome.status !== 'ok') await this.#releaseUnused(id, reservedName);
      return outcome;
    }
    await this.#releaseUnused(id, reservedName);
    return { status: 'conflict' };
  }

  /** The resource as clients copy it, or undefined when it is gone or being deleted. */
  async copyOf(id: string): Promise<ScopeLink | IdentityProviderLink | undefined> {
    const stored = await this.store.get(id);
    return stored && !stored.deleting ? this.kind.copyOf(stored.record) : undefined;
  }

  async #updateOnce(
    id: string,
    fields: Record<string, unknown>,
    origin: ChangeOrigin,
    ifMatch: ((version: number) => boolean) | undefined,
    reserved: (name: string) => void,
  ): Promise<ResourceOutcome<T> | 'retry'> {
    const stored = await this.store.get(id);
    if (!stored || stored.deleting) return { status: 'not-found' };
    if (this.kind.isWriteProtected(stored.record)) return { status: 'write-protected' };
    const plan = this.kind.planChanges(fields);
    if (plan.status === 'invalid') return plan;
    if (ifMatch && !ifMatch(stored.version)) return { status: 'precondition-failed' };

    const changes = changedFields(stored.record, plan.changes);
    if (Object.keys(changes).length === 0) {
      // Nothing to change, unless a change before this one did not reach every client.
      if (stored.copiesPending) await this.#refreshCopies(id, stored.version, origin);
      return { status: 'ok', resource: { ...stored, copiesPending: false } };
    }
    const newName = changes.name;
    if (newName !== undefined) {
      if (stored.pendingName !== newName && !(await this.store.setPendingName(id, newName, stored.version))) {
        return 'retry';
      }
      if ((await this.store.reserveName(newName, id)).status === 'taken') {
        // A 422 leaves the resource as it was.
        await this.store.clearPendingName(id, newName);
        return { status: 'invalid', errors: { name: [TAKEN] } };
      }
      reserved(newName);
    }
    const changedCopy = !isDeepStrictEqual(
      this.kind.copyOf(stored.record),
      this.kind.copyOf({ ...stored.record, ...changes }),
    );
    const updated = await this.store.update(id, changes, stored.version, {
      copiesPending: changedCopy || stored.copiesPending,
      pendingName: newName,
    });
    if (!updated) return 'retry';
    if (newName !== undefined) await this.store.releaseName(stored.record.name, id);
    if (updated.copiesPending) await this.#refreshCopies(id, updated.version, origin);
    return { status: 'ok', resource: { ...updated, copiesPending: false } };
  }

  /**
   * A name this request reserved and did not take: no longer pending, so that its lock is stale
   * and the next reservation of the name takes it over. The lock is not deleted: a concurrent
   * rename to the same name may hold it, and its write then fails on the pending name.
   */
  async #releaseUnused(id: string, name: string | undefined): Promise<void> {
    if (name !== undefined) await this.store.clearPendingName(id, name);
  }

  async #refreshCopies(id: string, version: number, origin: ChangeOrigin): Promise<void> {
    await this.#fanOut.run(this.kind.copyKind, id, () => this.copyOf(id), true, {
      action: this.kind.copyChangeAction,
      origin,
    });
    await this.store.clearCopiesPending(id, version);
  }
}

/** The changes that differ from what is stored. */
function changedFields<T>(stored: T, changes: Partial<T>): Partial<T> {
  return Object.fromEntries(
    Object.entries(changes).filter(([field, value]) => !isDeepStrictEqual(stored[field as keyof T], value)),
  ) as Partial<T>;
}
