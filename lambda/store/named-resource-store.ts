/**
 * What the stores of scopes and identity providers share: resources with an id, a unique name
 * and a version, whose clients keep copies of them.
 */
export interface NamedRecord {
  id: string;
  name: string;
}

export interface StoredResource<T extends NamedRecord> {
  record: T;
  /** +1 on every change; the ETag. */
  version: number;
  /** Set while a delete runs (the deleting request's token): clients treat the resource as gone. */
  deleting?: string;
  /** A rename in progress: the name reserved for the resource before it takes it. */
  pendingName?: string;
  /** Set by a change of what clients copy, until every client's copy was brought up to date. */
  copiesPending: boolean;
}

export type Reservation<T extends NamedRecord> =
  | { status: 'reserved' }
  | { status: 'taken'; holder: StoredResource<T> };

/**
 * Names are unique through one lock item per name that points at its resource. A lock whose
 * resource no longer carries (or is about to carry) that name, or is being deleted, is stale
 * and taken over by the next reservation; a lock written by a create that has not stored its
 * resource yet is completed, from the record it holds, by whoever finds it.
 */
export interface NamedResourceStore<T extends NamedRecord> {
  /** How many of them a deployment may hold. */
  readonly quota: number;
  get(id: string): Promise<StoredResource<T> | undefined>;
  getMany(ids: readonly string[]): Promise<Map<string, StoredResource<T>>>;
  /** Every resource, reading every page (never more than the quota leaves room for). */
  list(): Promise<StoredResource<T>[]>;
  /**
   * Counts `slots` resources about to be created, unless the quota would be passed: false then.
   * Taken before anything of them is written; given back when they are not created after all.
   */
  claimSlots(slots: number): Promise<boolean>;
  /** Gives back slots that no resource took, or that a deleted resource held. */
  releaseSlots(slots: number): Promise<void>;
  /** Reserves `name` for `id`; `created` is the record a create is about to store under it. */
  reserveName(name: string, id: string, created?: T): Promise<Reservation<T>>;
  /** Drops the record of its create from the lock of `name`, if it is still reserved for `id`. */
  forgetCreation(name: string, id: string): Promise<void>;
  /** Frees `name` if it is still reserved for `id`. */
  releaseName(name: string, id: string): Promise<void>;
  /** Stores a new resource at version 1, unless its id exists. */
  create(record: T): Promise<'created' | 'exists'>;
  /** Records the name a rename has reserved, at `expectedVersion` and unless a delete runs. */
  setPendingName(id: string, name: string, expectedVersion: number): Promise<boolean>;
  /**
   * Applies changes at `expectedVersion` (unless a delete runs), bumps the version, clears the
   * pending name, and marks the copies pending when `copiesPending`. A rename (`pendingName`)
   * happens only while that name is still the pending one.
   */
  update(
    id: string,
    changes: Partial<Omit<T, 'id'>>,
    expectedVersion: number,
    options: { copiesPending: boolean; pendingName?: string },
  ): Promise<StoredResource<T> | undefined>;
  /** Forgets the pending name, if it is still `name`. */
  clearPendingName(id: string, name: string): Promise<void>;
  /** Clears the copies-pending mark, unless the resource changed again since `version`. */
  clearCopiesPending(id: string, version: number): Promise<void>;
  /**
   * Marks the resource as being deleted: with `token`, or with the token of a delete already
   * running, which concurrent deletes then share (in `deleting`). Undefined when missing.
   */
  markDeleting(id: string, token: string): Promise<StoredResource<T> | undefined>;
  unmarkDeleting(id: string, token: string): Promise<void>;
  /** Deletes the resource, only while the delete of `token` still runs. */
  delete(id: string, token: string): Promise<boolean>;
}
