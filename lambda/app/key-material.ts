import type { Client, VersionedClient } from '../domain/client.js';
import { didKeyFromPublicKey } from '../domain/did-key.js';
import type { FieldErrors } from '../domain/field-errors.js';
import type { ChangeOrigin, HistoryAction } from '../domain/history-entry.js';
import { keyMaterialFor } from '../domain/key-material.js';
import { generateKeyPairFor } from '../domain/key-pairs.js';
import type { ClientAttributes, ClientStore } from '../store/client-store.js';
import { tooLateToWrite } from './write-deadline.js';
import { WriteProtection } from './write-protection.js';

export type KeyOutcome =
  | { status: 'updated'; client: VersionedClient }
  | { status: 'not-found' }
  | { status: 'write-protected' }
  | { status: 'invalid'; errors: FieldErrors }
  | { status: 'conflict' }
  | { status: 'out-of-time' };

// Key generation takes long enough that a lost race is rare: a few attempts suffice.
const MAX_ATTEMPTS = 5;

/** regenerate_key_pair and regenerate_did: read, compute, write at the version read. */
export class ClientKeyMaterial {
  readonly #writeProtection: WriteProtection;

  constructor(
    private readonly store: ClientStore,
    options: { protectedClientIds: readonly string[] },
  ) {
    this.#writeProtection = new WriteProtection(options.protectedClientIds);
  }

  /**
   * A new key pair from the client's key_pair_type; the private key is stored only. Keys that
   * took too long to generate are not written (`deadline`: see write-deadline.ts). The old
   * private key is read: the history entry records which key was replaced, by its fingerprint.
   */
  regenerateKeyPair(clientId: string, origin: ChangeOrigin, deadline?: number): Promise<KeyOutcome> {
    const change = { action: 'key_pair_regenerated', origin, withPrivateKey: true } as const;
    return this.#rewrite(clientId, change, deadline, async (client) => {
      const keyPair = await generateKeyPairFor(client.key_pair_type);
      return keyPair
        ? { attributes: keyMaterialFor(client.key_pair_type, keyPair) }
        : { errors: { private_key: ['private_key_type is invalid'] } };
    });
  }

  /** The did:key of the client's current public key; the private key is never read. */
  regenerateDid(clientId: string, origin: ChangeOrigin): Promise<KeyOutcome> {
    const change = { action: 'did_regenerated', origin, withPrivateKey: false } as const;
    return this.#rewrite(clientId, change, undefined, async (client) => {
      const did = client.public_key ? didKeyFromPublicKey(client.public_key) : undefined;
      return did ? { attributes: { did } } : { errors: { public_key: ['is invalid'] } };
    });
  }

  async #rewrite(
    clientId: string,
    { action, origin, withPrivateKey }: { action: HistoryAction; origin: ChangeOrigin; withPrivateKey: boolean },
    deadline: number | undefined,
    change: (client: Client) => Promise<{ attributes: ClientAttributes } | { errors: FieldErrors }>,
  ): Promise<KeyOutcome> {
    for (let attempt = 1; attempt <= MAX_ATTEMPTS; attempt += 1) {
      const current = await this.store.getClient(clientId, { withoutPrivateKey: !withPrivateKey });
      if (!current) return { status: 'not-found' };
      if (this.#writeProtection.covers(clientId)) return { status: 'write-protected' };
      const changed = await change(current.client);
      if ('errors' in changed) return { status: 'invalid', errors: changed.errors };
      if (tooLateToWrite(deadline)) return { status: 'out-of-time' };
      const result = await this.store.writePatch(current, changed.attributes, { action, origin });
      if (result.status === 'written') return { status: 'updated', client: result.client };
    }
    return { status: 'conflict' };
  }
}
