import { randomUUID } from 'node:crypto';
import type { VersionedClient } from '../domain/client.js';
import { clientWithDefaults, generateClientSecret } from '../domain/client-defaults.js';
import type { FieldErrors } from '../domain/field-errors.js';
import { keyMaterialFor } from '../domain/key-material.js';
import { generateKeyPairFor } from '../domain/key-pairs.js';
import { applyPatch, planUpdate, updateReferences, withCreatedScopes } from '../domain/update-plan.js';
import type { UpdateRequest } from '../domain/update-request.js';
import { canonicalUuid } from '../domain/uuid.js';
import type { ClientStore } from '../store/client-store.js';
import { tooLateToWrite } from './write-deadline.js';

export type CreateOutcome =
  | { status: 'created'; client: VersionedClient }
  | { status: 'invalid'; errors: FieldErrors }
  | { status: 'out-of-time' };

/**
 * Create a client (CONTRACT §5): the create defaults, every given field through the update's
 * rules, an identity provider that must exist, keys generated for the key type. A client-chosen
 * id is honoured when free; the conditional put makes two requests for one id agree.
 */
export class CreateClient {
  constructor(private readonly store: ClientStore) {}

  /** `deadline`: keys that took too long to generate write nothing (see write-deadline.ts). */
  async execute(request: UpdateRequest, deadline?: number): Promise<CreateOutcome> {
    const givenId = request.fields.id;
    const id = givenId === undefined || givenId === null ? randomUUID() : canonicalUuid(givenId);
    if (!id) return { status: 'invalid', errors: { id: ['is invalid'] } };
    const reads = await this.store.readForUpdate(id, updateReferences(request));
    if (reads.client) return { status: 'invalid', errors: { id: ['has already been taken'] } };

    const base = clientWithDefaults({
      id,
      identityProvider: { id: '', name: null },
      keyPair: { publicKey: '', privateKey: '' },
      secret: generateClientSecret(),
    });
    let plan = planUpdate(request, base, reads.lookups);
    if (plan.status === 'invalid') return plan;
    if (request.identityProvider.kind !== 'replace') {
      return { status: 'invalid', errors: { identity_provider_id: ["can't be blank"] } };
    }
    // The keys depend on the fields alone; generating them first keeps an impossible key type
    // from leaving behind scopes created for the request.
    const fieldsOnly = planUpdate({ ...request, scopes: undefined }, base, reads.lookups);
    const keyPairType = (fieldsOnly.status === 'ready' && fieldsOnly.patch.key_pair_type) || base.key_pair_type;
    const keyPair = await generateKeyPairFor(keyPairType);
    if (!keyPair) return { status: 'invalid', errors: { private_key: ['private_key_type is invalid'] } };
    if (tooLateToWrite(deadline)) return { status: 'out-of-time' };
    if (plan.status === 'needs-scopes') {
      const lookups = withCreatedScopes(reads.lookups, await this.store.ensureScopes(plan.names));
      plan = planUpdate(request, base, lookups);
      if (plan.status !== 'ready') throw new Error(`Scopes were created, yet the plan is ${plan.status}`);
    }
    const client = { ...applyPatch(base, plan.patch), ...keyMaterialFor(keyPairType, keyPair) };
    const result = await this.store.createClient(client);
    return result.status === 'created' ? result : { status: 'invalid', errors: { id: ['has already been taken'] } };
  }
}
