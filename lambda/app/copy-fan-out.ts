import type { IdentityProviderLink, ScopeLink } from '../domain/client.js';
import { type CopyKind, type CopySources, holdsCopy, refreshedCopies, setsCopies } from '../domain/client-copies.js';
import {
  type ClientLink,
  type ClientReads,
  type ClientStore,
  type RecordedChange,
  StoreUnavailableError,
} from '../store/client-store.js';
import { LINK_LEASE_MS } from './client-copies.js';

/** A resource as clients copy it, read now; undefined when it is gone or being deleted. */
export type ReadTarget = () => Promise<ScopeLink | IdentityProviderLink | undefined>;

export interface FanOutResult {
  /** Clients that hold a copy of the resource once the fan-out is done, in link order. */
  holders: string[];
  /** Clients being created with a link to the resource (no item yet, link put recently). */
  creating: string[];
}

const CLIENTS_PER_READ = 100;
/** Clients written at once: enough to overlap round trips, few enough not to flood sockets. */
const PARALLEL_WRITES = 10;
const WRITE_ATTEMPTS = 10;

/**
 * The other side of the copy protocol (see client-copies.ts): every client linked to a resource
 * brought up to date with it (`refresh`), or, for a delete that must first know who links it,
 * only every write in flight settled (fenced). Stale links met on the way are deleted, those of
 * deleted clients too.
 *
 * Each client write records `change` in the client's history: its action (`scope_renamed`, ...)
 * and the request that made the rename or delete. A fence is a write too, one that changes no
 * field: its entry has the same action and empty `changes`. It takes a version, and every
 * version has its entry, so the history shows that the rename or delete made a write in flight
 * start over (that write then records its own entry, on top).
 */
export class CopyFanOut {
  constructor(
    private readonly store: ClientStore,
    private readonly clock: () => number = Date.now,
  ) {}

  async run(
    kind: CopyKind,
    targetId: string,
    readTarget: ReadTarget,
    refresh: boolean,
    change: RecordedChange,
  ): Promise<FanOutResult> {
    const result: FanOutResult = { holders: [], creating: [] };
    const links = await this.store.linksTo(kind, targetId);
    for (let start = 0; start < links.length; start += CLIENTS_PER_READ) {
      const chunk = links.slice(start, start + CLIENTS_PER_READ);
      const clients = await this.store.getClients(chunk.map((link) => link.clientId));
      // Read after the clients: a change of the resource after this read reaches them itself.
      const target = refresh ? await readTarget() : undefined;
      const settle = new LinkSettlement(this.store, this.clock, {
        kind,
        targetId,
        readTarget: refresh ? readTarget : undefined,
        change,
      });
      for (let next = 0; next < chunk.length; next += PARALLEL_WRITES) {
        const batch = chunk.slice(next, next + PARALLEL_WRITES);
        await Promise.all(batch.map((link) => settle.run(link, clients, target, result)));
      }
    }
    return result;
  }
}

interface Settlement {
  kind: CopyKind;
  targetId: string;
  /** Absent when the clients' copies are not to be refreshed, only writes in flight fenced. */
  readTarget: ReadTarget | undefined;
  change: RecordedChange;
}

class LinkSettlement {
  private readonly kind: CopyKind;
  private readonly targetId: string;
  private readonly readTarget: ReadTarget | undefined;
  private readonly change: RecordedChange;

  constructor(
    private readonly store: ClientStore,
    private readonly clock: () => number,
    settlement: Settlement,
  ) {
    ({ kind: this.kind, targetId: this.targetId, readTarget: this.readTarget, change: this.change } = settlement);
  }

  async run(
    link: ClientLink,
    reads: ClientReads,
    firstTarget: ScopeLink | IdentityProviderLink | undefined,
    result: FanOutResult,
  ): Promise<void> {
    let client = reads.clients.get(link.clientId);
    let deletedAt = reads.deleted.get(link.clientId);
    let target = firstTarget;
    for (let attempt = 1; attempt <= WRITE_ATTEMPTS; attempt += 1) {
      if (!client) {
        // A deleted client's link goes (a write that lost to the delete may have put it anew).
        if (deletedAt !== undefined) return this.store.deleteLinks([link], { maxClientVersion: deletedAt });
        return this.settleMissing(link, result);
      }
      const patch = this.readTarget ? refreshedCopies(client.client, this.sources(target)) : {};
      // A link above the client's version is a write in flight, for as long as a write can be
      // (LINK_LEASE_MS); past that, its write died, or it is the link of a client deleted long
      // ago whose id was taken again (versions start again at 1): no write to fence.
      const recent = this.clock() - link.linkedAt < LINK_LEASE_MS;
      const inFlight = client.version < link.clientVersion && recent;
      if (!inFlight && !setsCopies(patch)) {
        if (holdsCopy(client.client, this.kind, this.targetId)) result.holders.push(link.clientId);
        else if (client.version < link.clientVersion) await this.store.deleteLinks([link], { attempt: link.attempt });
        else await this.store.deleteLinks([link], { maxClientVersion: client.version });
        return;
      }
      // Corrects the copy; for a write in flight, also makes it lose its version condition.
      const written = await this.store.writePatch(client, patch, this.change);
      if (written.status === 'written') {
        client = written.client;
      } else if (written.current) {
        client = written.current;
      } else {
        const again = await this.store.getClients([link.clientId]);
        client = again.clients.get(link.clientId);
        deletedAt = again.deleted.get(link.clientId);
      }
      if (written.status !== 'written' && this.readTarget) target = await this.readTarget();
    }
    throw new StoreUnavailableError(new Error(`Client ${link.clientId} kept changing while its copies were updated`));
  }

  /** No client item: one being created (recent link) is reported; an old link is left over. */
  private async settleMissing(link: ClientLink, result: FanOutResult): Promise<void> {
    if (this.clock() - link.linkedAt < LINK_LEASE_MS) result.creating.push(link.clientId);
    else await this.store.deleteLinks([link], { attempt: link.attempt });
  }

  private sources(target: ScopeLink | IdentityProviderLink | undefined): CopySources {
    return this.kind === 'scope'
      ? { scopes: new Map([[this.targetId, target as ScopeLink | undefined]]), identityProviders: new Map() }
      : {
          scopes: new Map(),
          identityProviders: new Map([[this.targetId, target as IdentityProviderLink | undefined]]),
        };
  }
}
