import { randomUUID } from 'node:crypto';
import type { Client, VersionedClient } from '../domain/client.js';
import {
  type CopyKind,
  type CopySources,
  copiesRefreshAction,
  copyTargets,
  refreshedCopies,
  setsCopies,
  withoutUnchangedCopies,
} from '../domain/client-copies.js';
import type { FieldErrors } from '../domain/field-errors.js';
import type { ChangeOrigin } from '../domain/history-entry.js';
import {
  type ClientPatch,
  changedAttributes,
  planUpdate,
  type UpdateLookups,
  updateReferences,
} from '../domain/update-plan.js';
import type { UpdateRequest } from '../domain/update-request.js';
import type { ClientStore, LinkPut } from '../store/client-store.js';
import { withPlannedScopes } from './planned-scopes.js';

/*
 * Keeping the copies on clients right, without transactions (dynalite has none).
 *
 * A client item holds `{id, name, public}` of each scope it authorizes and `{id, name}` of its
 * identity provider. A rename (or a change of `public`) must reach every copy before its 200, a
 * scope delete must remove every copy, and an identity provider may not be deleted while a
 * client links it. Four rules make that hold under concurrency, crashes and retries:
 *
 * 1. Link, then read, then write. A client write that sets copies first puts a link item per
 *    copied resource (`<resource id>#<client id>`, with the client version it is about to write),
 *    then reads those resources again (consistently), plans the copies from that read, and only
 *    then writes the client, conditional on its version.
 * 2. A rename or delete changes (or marks) the resource first, then queries its links and, for
 *    each client, reads the client, then the resource, then writes the client's copies,
 *    conditional on the client's version (copy-fan-out.ts). A link whose client has not reached
 *    the link's version belongs to a write in flight: the fan-out writes that client anyway
 *    (a fence), so that the write in flight loses its condition and starts over.
 * 3. Every copy a write takes from a resource it did not already hold is re-checked this way; a
 *    write that leaves the copies as stored puts no link and reads nothing more.
 * 4. Resources being deleted count as gone for every read that plans copies.
 *
 * Why no stale copy survives: take a writer W (link L, read R, write C) and a rename N (change
 * S, query Q, then per client: read client, read resource, write). If L comes after Q, then R
 * comes after S and W copies the new name. If L comes before Q, N sees the link: if C landed
 * before N read the client, N corrects the copy; if not, the client is still below the link's
 * version and N's fence makes C fail, so W starts over with a new L and R, both after S. A
 * fan-out's own write is conditional on the version it read, and it reads the resource after the
 * client, so a later rename's correction is never overwritten with an older name. The same
 * argument, with "marked deleting" for S, makes a delete reach every client; and since a
 * provider being deleted counts as gone, a client can link it only with a C that the delete
 * either sees (and refuses: 422 with that client) or fences (and W then finds it gone).
 *
 * Creates cannot be fenced (there is no item yet), so a create checks its copies once more
 * after its write and corrects them (`verifyCreated`); the provider delete counts a recent link
 * of a client not created yet as a create in flight and answers 409 rather than deleting.
 *
 * Crashes leave at worst a link that nothing holds (the next fan-out finds the client without
 * the copy at or past the link's version and deletes it), or a resource marked as changing or
 * deleting, which the same request sent again completes.
 *
 * A client delete leaves a tombstone (its history) at a higher version, conditional on the
 * version read like any write: a write in flight then fails and finds the client gone. Its
 * links go after it, and a fan-out deletes any link of a deleted client it meets. The id cannot
 * be taken again while the tombstone holds it, so no new client's link is ever mistaken for
 * the deleted one's; once it can, links older than LINK_LEASE_MS count for no write in flight.
 *
 * Cost: an update that leaves the copies as they are (the admin UI's usual save, which sends
 * every scope and the provider back) stays at one BatchGetItem and one UpdateItem. One that
 * changes them adds the link writes (one round trip, in parallel) and one BatchGetItem; naming
 * a scope that does not exist adds its creation (two writes) and another such round. A create
 * adds the links, the read, and the read after its write.
 */

/**
 * How long a link counts as a write in flight: far longer than any write lasts (the functions
 * stop within 29 s). Past it, the link of a client that does not exist is left over, and one
 * above its client's version belongs to no write (a dead writer's, or that of a deleted client
 * whose id was taken again once its retention was over: its versions started again at 1).
 */
export const LINK_LEASE_MS = 5 * 60_000;
const MAX_ROUNDS = 5;

export type PreparedWrite =
  | { status: 'ready'; patch: ClientPatch; lookups: UpdateLookups; links?: PutLinks }
  | { status: 'invalid'; errors: FieldErrors; links?: PutLinks };

interface PutLinks {
  targets: Record<CopyKind, string[]>;
  attempt: string;
}

export class ClientCopies {
  constructor(
    private readonly store: ClientStore,
    private readonly clock: () => number = Date.now,
  ) {}

  /**
   * The copies step of a client write, between planning and writing: what the patch changes in
   * `base`, without the copies that would change nothing; when copies do change, the links are
   * put and what the copies come from is read again (rule 1), and the request planned again on
   * that read.
   */
  async prepare(
    base: VersionedClient,
    request: UpdateRequest,
    patch: ClientPatch,
    lookups: UpdateLookups,
  ): Promise<PreparedWrite> {
    const clientId = base.client.id;
    const changesOf = (planned: ClientPatch) =>
      withoutUnchangedCopies(changedAttributes(base.client, planned), base.client);
    let changed = changesOf(patch);
    let current = lookups;
    let links: PutLinks | undefined;
    for (let round = 1; setsCopies(changed); round += 1) {
      const targets = copyTargets(changed);
      if (links && covers(links.targets, targets)) break;
      if (round > MAX_ROUNDS) throw new Error('The resources a client copies kept changing');
      links = { targets, attempt: randomUUID() };
      await this.store.putLinks(clientId, targets, linkPut(base.version + 1, links.attempt, this.clock()));
      const scopeIdsOfNames = [...current.scopesByName.values()].map((scope) => scope.id);
      current = await this.store.readLookups(updateReferences(request), scopeIdsOfNames);
      const plan = planUpdate(request, base.client, current, this.store.historyBytes);
      if (plan.status === 'invalid') return { ...plan, links };
      const planned = await withPlannedScopes(this.store, plan, current);
      current = planned.lookups;
      changed = changesOf(planned.patch);
    }
    return { status: 'ready', patch: changed, lookups: current, links };
  }

  /**
   * After a create: the copies read again and corrected, since a rename that ran between the
   * create's read and its write cannot have fenced a client that did not exist yet. A
   * correction is the creating request's write: its history entry names that request, and the
   * kind of change it follows (`scope_renamed`, ...).
   */
  async verifyCreated(created: VersionedClient, origin: ChangeOrigin): Promise<VersionedClient> {
    let current: VersionedClient | undefined = created;
    for (let round = 1; current && round <= MAX_ROUNDS; round += 1) {
      const patch = refreshedCopies(current.client, await this.sourcesOf(current));
      if (!setsCopies(patch)) return current;
      const action = copiesRefreshAction(current.client, patch);
      const result = await this.store.writePatch(current, patch, { action, origin });
      if (result.status === 'written') return result.client;
      current = result.current ?? (await this.store.getClient(created.client.id));
    }
    // Deleted meanwhile, or rewritten by fan-outs that have corrected it by now.
    return current ?? created;
  }

  /**
   * Links for a client written outside the API's write path (seeds and imports, which write the
   * copies their file gives), before the write of `clientVersion`.
   */
  async link(client: Client, clientVersion: number): Promise<void> {
    const targets = copyTargets(client);
    if (targets.scope.length + targets['identity-provider'].length === 0) return;
    await this.store.putLinks(client.id, targets, linkPut(clientVersion, randomUUID(), this.clock()));
  }

  /** A create that put links and then was refused: its links go, unless put again since. */
  async abandon(clientId: string, links: PutLinks | undefined): Promise<void> {
    if (!links) return;
    await this.store.deleteLinks(linkList(clientId, links.targets), { attempt: links.attempt });
  }

  /**
   * After a client delete (`deleted.version` is its tombstone's): its links go, and those of
   * writes that lost to the delete, which link versions up to the tombstone's. No client can
   * take the id again while the tombstone holds it, so no link of a newer client can be met.
   */
  async afterDelete(deleted: VersionedClient): Promise<void> {
    const links = linkList(deleted.client.id, copyTargets(deleted.client));
    if (links.length > 0) await this.store.deleteLinks(links, { maxClientVersion: deleted.version });
  }

  /** The resources a client copies, as stored now; those being deleted as gone. */
  private async sourcesOf({ client }: VersionedClient): Promise<CopySources> {
    const targets = copyTargets(client);
    const lookups = await this.store.readLookups(
      { identityProviderIds: targets['identity-provider'], scopeIds: targets.scope, scopeNames: [] },
      [],
    );
    return {
      scopes: new Map(targets.scope.map((id) => [id, lookups.scopesById.get(id)])),
      identityProviders: new Map(targets['identity-provider'].map((id) => [id, lookups.identityProviders.get(id)])),
    };
  }
}

/** A link put now: it replaces links too old to belong to any write in flight. */
function linkPut(clientVersion: number, attempt: string, linkedAt: number): LinkPut {
  return { clientVersion, attempt, linkedAt, replacesBefore: linkedAt - LINK_LEASE_MS };
}

function covers(linked: Record<CopyKind, string[]>, targets: Record<CopyKind, string[]>): boolean {
  return (Object.keys(targets) as CopyKind[]).every((kind) => targets[kind].every((id) => linked[kind].includes(id)));
}

function linkList(clientId: string, targets: Record<CopyKind, string[]>) {
  return (Object.entries(targets) as [CopyKind, string[]][]).flatMap(([kind, ids]) =>
    ids.map((targetId) => ({ kind, targetId, clientId })),
  );
}
