import type { IdentityProviderLink, ScopeLink, VersionedClient } from '../domain/client.js';
import { type CopyKind, type CopySources, holdsCopy, refreshedCopies, setsCopies } from '../domain/client-copies.js';
import { type ClientLink, type ClientStore, StoreUnavailableError } from '../store/client-store.js';
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
 * only every write in flight settled (fenced). Stale links met on the way are deleted.
 */
export class CopyFanOut {
  constructor(
    private readonly store: ClientStore,
    private readonly clock: () => number = Date.now,
  ) {}

  async run(kind: CopyKind, targetId: string, readTarget: ReadTarget, refresh: boolean): Promise<FanOutResult> {
    const result: FanOutResult = { holders: [], creating: [] };
    const links = await this.store.linksTo(kind, targetId);
    for (let start = 0; start < links.length; start += CLIENTS_PER_READ) {
      const chunk = links.slice(start, start + CLIENTS_PER_READ);
      const clients = await this.store.getClients(chunk.map((link) => link.clientId));
      // Read after the clients: a change of the resource after this read reaches them itself.
      const target = refresh ? await readTarget() : undefined;
      const settle = new LinkSettlement(this.store, this.clock, kind, targetId, refresh ? readTarget : undefined);
      for (let next = 0; next < chunk.length; next += PARALLEL_WRITES) {
        const batch = chunk.slice(next, next + PARALLEL_WRITES);
        await Promise.all(batch.map((link) => settle.run(link, clients.get(link.clientId), target, result)));
      }
    }
    return result;
  }
}

class LinkSettlement {
  constructor(
    private readonly store: ClientStore,
    private readonly clock: () => number,
    private readonly kind: CopyKind,
    private readonly targetId: string,
    private readonly readTarget: ReadTarget | undefined,
  ) {}

  async run(
    link: ClientLink,
    first: VersionedClient | undefined,
    firstTarget: ScopeLink | IdentityProviderLink | undefined,
    result: FanOutResult,
  ): Promise<void> {
    let client = first;
    let target = firstTarget;
    for (let attempt = 1; attempt <= WRITE_ATTEMPTS; attempt += 1) {
      if (!client) return this.settleMissing(link, result);
      const patch = this.readTarget ? refreshedCopies(client.client, this.sources(target)) : {};
      const inFlight = client.version < link.clientVersion;
      if (!inFlight && !setsCopies(patch)) {
        if (holdsCopy(client.client, this.kind, this.targetId)) result.holders.push(link.clientId);
        else await this.store.deleteLinks([link], { maxClientVersion: client.version });
        return;
      }
      // Corrects the copy; for a write in flight, also makes it lose its version condition.
      const written = await this.store.writePatch(link.clientId, patch, client.version);
      if (written.status === 'written') {
        client = written.client;
      } else {
        client = written.current ?? (await this.store.getClient(link.clientId));
        if (this.readTarget) target = await this.readTarget();
      }
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
