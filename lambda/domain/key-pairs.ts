import { generateKeyPair } from 'node:crypto';
import { promisify } from 'node:util';
import { EC_CURVES, type KeyPairType } from './client.js';
import { MAX_RSA_MODULUS_SIZE, MIN_RSA_MODULUS_SIZE, RSA_PUBLIC_EXPONENT } from './key-pair-type.js';

export interface PemKeyPair {
  publicKey: string;
  privateKey: string;
}

const generate = promisify(generateKeyPair);
const SPKI = { type: 'spki', format: 'pem' } as const;
const PKCS8 = { type: 'pkcs8', format: 'pem' } as const;

/**
 * A new key pair for a client's key_pair_type, from node:crypto, in PEM: rsa with its modulus
 * (and the exponent 65537), ec on its curve, universal as Ed25519. Undefined when the type
 * cannot make a key (an unknown type, a size, exponent or curve out of bounds, which a client
 * stored before these bounds may still hold).
 */
export async function generateKeyPairFor(keyPairType: KeyPairType): Promise<PemKeyPair | undefined> {
  try {
    switch (keyPairType.type) {
      case 'rsa': {
        const modulusLength = Number(keyPairType.modulus_size ?? MIN_RSA_MODULUS_SIZE);
        if (
          !Number.isInteger(modulusLength) ||
          modulusLength < MIN_RSA_MODULUS_SIZE ||
          modulusLength > MAX_RSA_MODULUS_SIZE ||
          (keyPairType.exponent_size ?? RSA_PUBLIC_EXPONENT) !== RSA_PUBLIC_EXPONENT
        )
          return undefined;
        return await generate('rsa', {
          modulusLength,
          publicExponent: Number(RSA_PUBLIC_EXPONENT),
          publicKeyEncoding: SPKI,
          privateKeyEncoding: PKCS8,
        });
      }
      case 'ec':
        if (!(EC_CURVES as readonly unknown[]).includes(keyPairType.curve)) return undefined;
        return await generate('ec', {
          namedCurve: keyPairType.curve as string,
          publicKeyEncoding: SPKI,
          privateKeyEncoding: PKCS8,
        });
      case 'universal':
        return await generate('ed25519', { publicKeyEncoding: SPKI, privateKeyEncoding: PKCS8 });
      default:
        return undefined;
    }
  } catch {
    return undefined;
  }
}
