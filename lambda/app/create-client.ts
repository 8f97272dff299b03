import { randomUUID } from 'node:crypto';
import type { Client, VersionedClient } from '../domain/client.js';
import { clientToCreate } from '../domain/client-defaults.js';
import { isBlankString } from '../domain/client-fields.js';
import type { FieldErrors } from '../domain/field-errors.js';
import type { ChangeOrigin, HistoryAction } from '../domain/history-entry.js';
import { keyMaterialFor } from '../domain/key-material.js';
import { generateKeyPairFor } from '../domain/key-pairs.js';
import { applyPatch, planUpdate, sizeRefusal, updateReferences } from '../domain/update-plan.js';
import type { UpdateRequest } from '../domain/update-request.js';
import { canonicalUuid } from '../domain/uuid.js';
import type { ClientStore } from '../store/client-store.js';
import { ClientCopies } from './client-copies.js';
import { withPlannedScopes } from './planned-scopes.js';
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
  /** What the history calls the change: `created`, or `imported` for `npm run import`. */
  action?: Extract<HistoryAction, 'created' | 'imported'>;
}

/**
 * Create a client (CONTRACT §5): the create defaults, every given field through the update's
 * rules, an identity provider that must exist, keys generated for the key type. A client-chosen
 * id is honoured when free; the conditional put makes two requests for one id agree. Every
 * check, the item's size included, passes before the first scope is created or link put; the
 * copies are linked before the write and checked again after it (client-copies.ts).
 */
export class CreateClient {
  readonly #identityProviderRequired: boolean;
  readonly #copies: ClientCopies;
  readonly #action: Extract<HistoryAction, 'created' | 'imported'>;

  constructor(
    private readonly store: ClientStore,
    options: CreateClientOptions = {},
  ) {
    this.#identityProviderRequired = options.identityProviderRequired ?? true;
    this.#copies = new ClientCopies(store);
    this.#action = options.action ?? 'created';
  }

  /** `deadline`: keys that took too long to generate write nothing (see write-deadline.ts). */
  async execute(given: UpdateRequest, origin: ChangeOrigin, deadline?: number): Promise<CreateOutcome> {
    const request = withoutBlankGeneratedFields(given);
    const givenId = request.fields.id;
    const id = givenId === undefined ? randomUUID() : canonicalUuid(givenId);
    if (!id) return { status: 'invalid', errors: { id: ['is invalid'] } };
    const reads = await this.store.readForUpdate(id, updateReferences(request));
    if (reads.client || reads.heldByDeleted) return { status: 'exists' };

    const base = clientToCreate(id);
    const plan = planUpdate(request, base, reads.lookups, this.store.historyBytes);
    if (plan.status === 'invalid') return plan;
    if (this.#identityProviderRequired && request.identityProvider.kind !== 'replace') {
      return { status: 'invalid', errors: { identity_provider_id: ["can't be blank"] } };
    }
    const keyType = plan.patch.key_pair_type ?? base.key_pair_type;
    const keys = plan.patch.private_key !== undefined ? {} : await generatedKeys(keyType);
    if (!keys) return { status: 'invalid', errors: { private_key: ['private_key_type is invalid'] } };
    const tooLarge = sizeRefusal({ ...applyPatch(base, plan.patch), ...keys }, plan.patch, this.store.historyBytes);
    if (tooLarge) return { status: 'invalid', errors: tooLarge };
    if (tooLateToWrite(deadline)) return { status: 'out-of-time' };

    const planned = await withPlannedScopes(this.store, plan, reads.lookups);
    const prepared = await this.#copies.prepare({ client: base, version: 0 }, request, planned.patch, planned.lookups);
    if (prepared.status === 'invalid') {
      await this.#copies.abandon(id, prepared.links);
      return { status: 'invalid', errors: prepared.errors };
    }
    const client = { ...applyPatch(base, prepared.patch), ...keys };
    const result = await this.store.createClient(client, { action: this.#action, origin });
    if (result.status === 'created') {
      return { status: 'created', client: await this.#copies.verifyCreated(result.client, origin) };
    }
    await this.#copies.abandon(id, prepared.links);
    return { status: 'exists' };
  }
}

/** Keys generated for the key type: undefined when it cannot make one. */
async function generatedKeys(keyType: Client['key_pair_type']): Promise<Partial<Client> | undefined> {
  const keyPair = await generateKeyPairFor(keyType);
  return keyPair && keyMaterialFor(keyType, keyPair);
}

/**
 * `id` and `secret` that are null or blank are generated, as upstream does (Ecto casts "" to
 * nil): the admin UI's "leave blank to autogenerate" fields send "".
 */
function withoutBlankGeneratedFields(request: UpdateRequest): UpdateRequest {
  const fields = { ...request.fields };
  for (const field of ['id', 'secret']) {
    if (fields[field] === null || isBlankString(fields[field])) delete fields[field];
  }
  return { ...request, fields };
}
