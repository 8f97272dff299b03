import { randomUUID } from 'node:crypto';
import type { CopyKind } from '../domain/client-copies.js';
import type { ClientStore } from '../store/client-store.js';
import type { NamedRecord, NamedResourceStore, StoredResource } from '../store/named-resource-store.js';

export type DeleteResourceOutcome = 'deleted' | 'not-found' | 'write-protected' | 'precondition-failed';

/**
 * What the deletes of scopes and identity providers share: the resource is marked as being
 * deleted first (clients then count it as gone), and once its clients are dealt with, its
 * name locks, the resource and the links to it go. A delete sent again after a crash finds the
 * mark and goes on from there.
 */
export class NamedResourceDeletion<T extends NamedRecord> {
  constructor(
    private readonly store: NamedResourceStore<T>,
    private readonly clients: ClientStore,
    private readonly kind: CopyKind,
  ) {}

  /** Marks the resource (sharing a delete already running); undefined when it is gone. */
  async mark(id: string): Promise<(StoredResource<T> & { deleting: string }) | undefined> {
    const marked = await this.store.markDeleting(id, randomUUID());
    return marked?.deleting ? { ...marked, deleting: marked.deleting } : undefined;
  }

  /** The rest of the delete; false when another request ended the delete meanwhile. */
  async finish(marked: StoredResource<T> & { deleting: string }): Promise<boolean> {
    const { id, name } = marked.record;
    const names = [name, ...(marked.pendingName ? [marked.pendingName] : [])];
    // A lock that still holds the record of its create would bring the resource back, were a
    // crash to leave it behind: it forgets it first. A lock left behind then points at nothing
    // and is taken over by the next reservation of its name.
    await Promise.all(names.map((lockedName) => this.store.forgetCreation(lockedName, id)));
    if (!(await this.store.delete(id, marked.deleting))) return (await this.store.get(id)) === undefined;
    // Only the request whose delete removed it gives its slot back; a crash before keeps it counted.
    await this.store.releaseSlots(1);
    await Promise.all(names.map((lockedName) => this.store.releaseName(lockedName, id)));
    await this.clients.deleteLinks(await this.clients.linksTo(this.kind, id));
    return true;
  }
}
