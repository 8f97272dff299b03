import type { VersionedClient } from '../domain/client.js';
import type { FieldErrors } from '../domain/field-errors.js';
import type { ChangeOrigin } from '../domain/history-entry.js';
import type { UpdateRequest } from '../domain/update-request.js';
import type { ClientStore } from '../store/client-store.js';
import { CreateClient } from './create-client.js';
import { UpdateClient } from './update-client.js';

export type ImportOutcome =
  | { status: 'created' | 'updated' | 'unchanged'; client: VersionedClient }
  | { status: 'invalid'; errors: FieldErrors }
  | { status: 'conflict' };

// Each round is an update that found no client, then a create that found one: a client deleted
// and created again by someone else in between, every time.
const MAX_ROUNDS = 5;

/**
 * One client of an import or a seed file, through the API's own use cases: an update of the
 * stored client (only what the file gives changes, with the same version-conditional writes and
 * re-application after a lost race), or a create when there is none. Unlike the API, it may
 * write the write-protected clients (an import is how the admin UI's own client gets there) and
 * a client without identity provider.
 */
export class ImportClient {
  readonly #update: UpdateClient;
  readonly #create: CreateClient;

  constructor(store: ClientStore) {
    this.#update = new UpdateClient(store, { protectedClientIds: [], action: 'imported' });
    this.#create = new CreateClient(store, { identityProviderRequired: false, action: 'imported' });
  }

  /** `origin`: who runs the import (`--actor`, or the AWS principal), for the clients' histories. */
  async execute(clientId: string, request: UpdateRequest, origin: ChangeOrigin): Promise<ImportOutcome> {
    const creation = { ...request, fields: { ...request.fields, id: clientId } };
    for (let round = 1; round <= MAX_ROUNDS; round += 1) {
      const updated = await this.#update.execute(clientId, request, origin);
      switch (updated.status) {
        case 'updated':
        case 'unchanged':
        case 'invalid':
        case 'conflict':
          return updated;
        case 'not-found': {
          // No deadline: an import runs as long as it needs, so it is never out of time.
          const created = await this.#create.execute(creation, origin);
          if (created.status === 'out-of-time') throw new Error('An import without a deadline ran out of time');
          if (created.status !== 'exists') return created;
          break;
        }
        default:
          throw new Error(`An import cannot end in ${updated.status}`);
      }
    }
    return { status: 'conflict' };
  }
}
