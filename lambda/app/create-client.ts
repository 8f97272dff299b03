import { randomUUID } from 'node:crypto';
import type { Client, VersionedClient } from '../domain/client.js';
import { clientToCreate } from '../domain/client-defaults.js';
import type { FieldErrors } from '../domain/field-errors.js';
import { keyMaterialFor } from '../domain/key-material.js';
import { generateKeyPairFor } from '../domain/key-pairs.js';
import { applyPatch, planUpdate, sizeRefusal, updateReferences, withCreatedScopeLinks } from '../domain/update-plan.js';
import type { UpdateRequest } from '../domain/update-request.js';
import { canonicalUuid } from '../domain/uuid.js';
import type { ClientStore } from '../store/client-store.js';
import { tooLateToWrite } from './write-deadline.js';

export type CreateOutcome =
  | { status: 'created'; client: VersionedClient }
  | { status: 'invalid'; errors: FieldErrors }
  /** A client with the requested id exists already. */
  | { status: 'exists' }
  | { status: 'out-of-time' };

export interface CreateClientOptions {
  /** The API requires one (CONTRACT §5); seeds and imports may hold clients without. */
  identityProviderRequired?: boolean;
}

/**
 * Create a client (CONTRACT §5): the create defaults, every given field through the update's
 * rules, an identity provider that must exist, keys generated for the key type. A client-chosen
 * id is honoured when free; the conditional put makes two requests for one id agree. Every
 * check, the item's size included, passes before the first scope is created.
 */
export class CreateClient {
  readonly #identityProviderRequired: boolean;

  constructor(
    private readonly store: ClientStore,
    options: CreateClientOptions = {},
  ) {
    this.#identityProviderRequired = options.identityProviderRequired ?? true;
  }

  /** `deadline`: keys that took too long to generate write nothing (see write-deadline.ts). */
  async execute(request: UpdateRequest, deadline?: number): Promise<CreateOutcome> {
    const givenId = request.fields.id;
    const id = givenId === undefined || givenId === null ? randomUUID() : canonicalUuid(givenId);
    if (!id) return { status: 'invalid', errors: { id: ['is invalid'] } };
    const reads = await this.store.readForUpdate(id, updateReferences(request));
    if (reads.client) return { status: 'exists' };

    const base = clientToCreate(id);
    const plan = planUpdate(request, base, reads.lookups);
    if (plan.status === 'invalid') return plan;
    if (this.#identityProviderRequired && request.identityProvider.kind !== 'replace') {
      return { status: 'invalid', errors: { identity_provider_id: ["can't be blank"] } };
    }
    const client = await withKeys(applyPatch(base, plan.patch), plan.patch.private_key !== undefined);
    if (!client) return { status: 'invalid', errors: { private_key: ['private_key_type is invalid'] } };
    const tooLarge = sizeRefusal(client, plan.patch);
    if (tooLarge) return { status: 'invalid', errors: tooLarge };
    if (tooLateToWrite(deadline)) return { status: 'out-of-time' };

    const created = plan.newScopeNames.length > 0 ? await this.store.ensureScopes(plan.newScopeNames) : [];
    const result = await this.store.createClient(withCreatedScopeLinks(client, created));
    return result.status === 'created' ? result : { status: 'exists' };
  }
}

/** The client with keys: as imported, or generated for its key type (undefined if it cannot make one). */
async function withKeys(client: Client, imported: boolean): Promise<Client | undefined> {
  if (imported) return client;
  const keyPair = await generateKeyPairFor(client.key_pair_type);
  return keyPair && { ...client, ...keyMaterialFor(client.key_pair_type, keyPair) };
}
