import type { ChangeOrigin } from '../domain/history-entry.js';
import type { ClientStore } from '../store/client-store.js';
import { ClientCopies } from './client-copies.js';
import { WriteProtection } from './write-protection.js';

export type DeleteOutcome = 'deleted' | 'not-found' | 'write-protected' | 'precondition-failed' | 'conflict';

// A delete that keeps losing to other writers' updates is answered 409 after this many tries.
const MAX_ATTEMPTS = 10;

/**
 * Delete a client, its identity provider link and scope list with it (they live on its item).
 * The client is read first, for the history entry of the delete (every field from its value to
 * nothing, secrets as fingerprints), then replaced by a tombstone in one write conditional on
 * the version read: its history stays readable for the retention period, and its id cannot be
 * taken again until then. A write that landed in between makes the delete read again. The links
 * to what it copied go afterwards, so that its provider can be deleted right away.
 */
export class DeleteClient {
  readonly #writeProtection: WriteProtection;
  readonly #copies: ClientCopies;

  constructor(
    private readonly store: ClientStore,
    options: { protectedClientIds: readonly string[] },
  ) {
    this.#writeProtection = new WriteProtection(options.protectedClientIds);
    this.#copies = new ClientCopies(store);
  }

  async execute(
    clientId: string,
    origin: ChangeOrigin,
    ifMatch?: (version: number) => boolean,
  ): Promise<DeleteOutcome> {
    for (let attempt = 1; attempt <= MAX_ATTEMPTS; attempt += 1) {
      // With the private key, whose fingerprint the entry records.
      const current = await this.store.getClient(clientId);
      if (!current) return 'not-found';
      if (this.#writeProtection.covers(clientId)) return 'write-protected';
      if (ifMatch && !ifMatch(current.version)) return 'precondition-failed';
      const result = await this.store.deleteClient(current, { action: 'deleted', origin });
      if (result.status === 'deleted') {
        await this.#copies.afterDelete(result.client);
        return 'deleted';
      }
    }
    return 'conflict';
  }
}
