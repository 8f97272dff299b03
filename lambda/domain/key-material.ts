import { type Client, type KeyPairType, keyPairTypeName, UNIVERSAL_SIGNATURES_ADAPTER } from './client.js';
import { didKeyFromPublicKey } from './did-key.js';
import type { PemKeyPair } from './key-pairs.js';

/**
 * What a new key pair changes on a client: the keys, and for a universal (Ed25519) key also its
 * did:key, the universal signatures adapter and EdDSA for both signature algorithms, so that the
 * client stays consistent (CONTRACT §4, "Consistency").
 */
export function keyMaterialFor(
  keyPairType: KeyPairType,
  { publicKey, privateKey }: PemKeyPair,
): Pick<Client, 'public_key' | 'private_key'> & Partial<Client> {
  if (keyPairTypeName(keyPairType) !== 'universal') return { public_key: publicKey, private_key: privateKey };
  return {
    public_key: publicKey,
    private_key: privateKey,
    did: didKeyFromPublicKey(publicKey) ?? null,
    signatures_adapter: UNIVERSAL_SIGNATURES_ADAPTER,
    id_token_signature_alg: 'EdDSA',
    userinfo_signed_response_alg: 'EdDSA',
  };
}
