import type { ChangeOrigin } from '../domain/history-entry.js';
import { PROTECTED_SCOPE_NAMES, planScopeChanges, planScopeCreate, type Scope, scopeLink } from '../domain/scope.js';
import type { ClientStore } from '../store/client-store.js';
import type { ScopeStore } from '../store/scope-store.js';
import { CopyFanOut } from './copy-fan-out.js';
import { type DeleteResourceOutcome, NamedResourceDeletion } from './delete-named-resource.js';
import { type NamedResourceKind, NamedResources } from './named-resources.js';

const isProtected = (scope: Scope) => PROTECTED_SCOPE_NAMES.includes(scope.name);

export const SCOPES: NamedResourceKind<Scope> = {
  copyKind: 'scope',
  copyChangeAction: 'scope_renamed',
  planCreate: planScopeCreate,
  planChanges: planScopeChanges,
  copyOf: scopeLink,
  // The stored name decides: upstream does not stop a rename *to* a protected name, nor do we.
  isWriteProtected: isProtected,
};

/** List, show, create and update of scopes; a rename or a change of `public` reaches every client. */
export function scopeUseCases(scopes: ScopeStore, clients: ClientStore): NamedResources<Scope> {
  return new NamedResources(scopes, clients, SCOPES);
}

/**
 * Delete a scope and remove it from every client that has it: upstream's join table drops it
 * on delete, so there is no refusal. The scope counts as gone for clients from the moment it is
 * marked, which is what makes the removal reach every client (see client-copies.ts).
 */
export class DeleteScope {
  readonly #deletion: NamedResourceDeletion<Scope>;
  readonly #fanOut: CopyFanOut;

  constructor(
    private readonly scopes: ScopeStore,
    clients: ClientStore,
  ) {
    this.#deletion = new NamedResourceDeletion(scopes, clients, 'scope');
    this.#fanOut = new CopyFanOut(clients);
  }

  /** `origin`: the request, which the histories of the clients that lose the scope name. */
  async execute(
    id: string,
    origin: ChangeOrigin,
    ifMatch?: (version: number) => boolean,
  ): Promise<DeleteResourceOutcome> {
    const stored = await this.scopes.get(id);
    if (!stored) return 'not-found';
    if (isProtected(stored.record)) return 'write-protected';
    if (ifMatch && !ifMatch(stored.version)) return 'precondition-failed';
    const marked = await this.#deletion.mark(id);
    if (!marked) return 'not-found';
    await this.#fanOut.run('scope', id, async () => undefined, true, { action: 'scope_deleted', origin });
    await this.#deletion.finish(marked);
    return 'deleted';
  }
}
