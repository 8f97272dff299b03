import type { ClientStore } from '../store/client-store.js';
import { WriteProtection } from './write-protection.js';

export type DeleteOutcome = 'deleted' | 'not-found' | 'write-protected' | 'precondition-failed';

/**
 * Delete a client, its identity provider link and scope list with it (they live on its item).
 * One conditional delete; a protected id is read first so that an unknown one is still a 404.
 */
export class DeleteClient {
  readonly #writeProtection: WriteProtection;

  constructor(
    private readonly store: ClientStore,
    options: { protectedClientIds: readonly string[] },
  ) {
    this.#writeProtection = new WriteProtection(options.protectedClientIds);
  }

  async execute(clientId: string, ifMatch?: (version: number) => boolean): Promise<DeleteOutcome> {
    const writeProtected = this.#writeProtection.covers(clientId);
    if (!writeProtected && !ifMatch) {
      return (await this.store.deleteClient(clientId)) === 'missing' ? 'not-found' : 'deleted';
    }
    const current = await this.store.getClient(clientId);
    if (!current) return 'not-found';
    if (writeProtected) return 'write-protected';
    if (ifMatch && !ifMatch(current.version)) return 'precondition-failed';
    const result = await this.store.deleteClient(clientId, current.version);
    if (result === 'missing') return 'not-found';
    return result === 'deleted' ? 'deleted' : 'precondition-failed';
  }
}
