import type { ChangeOrigin } from '../domain/history-entry.js';
import {
  type IdentityProvider,
  identityProviderLink,
  linkedClientsErrors,
  planIdentityProviderChanges,
  planIdentityProviderCreate,
} from '../domain/identity-provider.js';
import type { ClientStore } from '../store/client-store.js';
import type { IdentityProviderStore } from '../store/identity-provider-store.js';
import { CopyFanOut } from './copy-fan-out.js';
import { type DeleteResourceOutcome, NamedResourceDeletion } from './delete-named-resource.js';
import { type NamedResourceKind, NamedResources } from './named-resources.js';
import { WriteProtection } from './write-protection.js';

export const IDENTITY_PROVIDERS: NamedResourceKind<IdentityProvider> = {
  copyKind: 'identity-provider',
  copyChangeAction: 'identity_provider_renamed',
  planCreate: planIdentityProviderCreate,
  planChanges: planIdentityProviderChanges,
  copyOf: identityProviderLink,
  isWriteProtected: () => false,
};

/** List, show, create and update of identity providers; a rename reaches every client. */
export function identityProviderUseCases(
  providers: IdentityProviderStore,
  clients: ClientStore,
): NamedResources<IdentityProvider> {
  return new NamedResources(providers, clients, IDENTITY_PROVIDERS);
}

export type DeleteIdentityProviderOutcome =
  | DeleteResourceOutcome
  | 'conflict'
  | { status: 'invalid'; errors: Record<string, string[]> };

const MAX_ATTEMPTS = 5;

/**
 * Delete an identity provider, refused while a client links it (422 naming the clients), and
 * race-free against a client linking it meanwhile: the provider is marked first, so a client
 * write that reads it from then on finds it gone; every write that read it before is settled
 * (seen, or fenced) by the pass over its links; only then is it deleted, while still marked by
 * this delete. A client being created with it (no item yet) makes the delete answer 409.
 */
export class DeleteIdentityProvider {
  readonly #deletion: NamedResourceDeletion<IdentityProvider>;
  readonly #fanOut: CopyFanOut;
  readonly #writeProtection: WriteProtection;

  constructor(
    private readonly providers: IdentityProviderStore,
    private readonly clients: ClientStore,
    options: { protectedClientIds: readonly string[]; clock?: () => number },
  ) {
    this.#deletion = new NamedResourceDeletion(providers, clients, 'identity-provider');
    this.#fanOut = new CopyFanOut(clients, options.clock);
    this.#writeProtection = new WriteProtection(options.protectedClientIds);
  }

  /** `origin`: the request, which the history of a client names if the delete fences a write of it. */
  async execute(
    id: string,
    origin: ChangeOrigin,
    ifMatch?: (version: number) => boolean,
  ): Promise<DeleteIdentityProviderOutcome> {
    for (let attempt = 1; attempt <= MAX_ATTEMPTS; attempt += 1) {
      const stored = await this.providers.get(id);
      if (!stored) return 'not-found';
      if (await this.#providesProtectedClient(id)) return 'write-protected';
      if (ifMatch && !ifMatch(stored.version)) return 'precondition-failed';
      const marked = await this.#deletion.mark(id);
      if (!marked) return 'not-found';
      const { holders, creating } = await this.#fanOut.run('identity-provider', id, async () => undefined, false, {
        action: 'identity_provider_deleted',
        origin,
      });
      if (holders.length > 0 || creating.length > 0) {
        await this.providers.unmarkDeleting(id, marked.deleting);
        return holders.length > 0 ? { status: 'invalid', errors: linkedClientsErrors(holders) } : 'conflict';
      }
      if (await this.#deletion.finish(marked)) return 'deleted';
    }
    return 'conflict';
  }

  /** The provider of a write-protected client (the admin UI's own) is write-protected too. */
  async #providesProtectedClient(id: string): Promise<boolean> {
    const protectedIds = this.#writeProtection.ids;
    if (protectedIds.length === 0) return false;
    const { clients } = await this.clients.getClients(protectedIds);
    return [...clients.values()].some(({ client }) => client.identity_provider?.id === id);
  }
}
