import type { ClientStore, DeleteResult } from '../store/client-store.js';
import { ClientCopies } from './client-copies.js';
import { WriteProtection } from './write-protection.js';

export type DeleteOutcome = 'deleted' | 'not-found' | 'write-protected' | 'precondition-failed';

/**
 * Delete a client, its identity provider link and scope list with it (they live on its item).
 * One conditional delete; a protected id is read first so that an unknown one is still a 404.
 * The links to what it copied go afterwards, so that its provider can be deleted right away.
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

  async execute(clientId: string, ifMatch?: (version: number) => boolean): Promise<DeleteOutcome> {
    const startedAt = Date.now();
    const result = await this.#delete(clientId, ifMatch);
    if (typeof result === 'string') return result;
    if (result.status === 'deleted') await this.#copies.afterDelete(result.client, startedAt);
    return result.status === 'deleted' ? 'deleted' : result.status === 'missing' ? 'not-found' : 'precondition-failed';
  }

  async #delete(clientId: string, ifMatch?: (version: number) => boolean): Promise<DeleteResult | DeleteOutcome> {
    const writeProtected = this.#writeProtection.covers(clientId);
    if (!writeProtected && !ifMatch) return this.store.deleteClient(clientId);
    const current = await this.store.getClient(clientId);
    if (!current) return 'not-found';
    if (writeProtected) return 'write-protected';
    if (ifMatch && !ifMatch(current.version)) return 'precondition-failed';
    return this.store.deleteClient(clientId, current.version);
  }
}
