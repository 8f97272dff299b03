import { generateKeyPair } from 'node:crypto';
import { promisify } from 'node:util';
import { EC_CURVES, type KeyPairType } from './client.js';
import { MAX_RSA_MODULUS_SIZE, MIN_RSA_MODULUS_SIZE } from './key-pair-type.js';

export interface PemKeyPair {
  publicKey: string;
  privateKey: string;
}

const generate = promisify(generateKeyPair);
const SPKI = { type: 'spki', format: 'pem' } as const;
const PKCS8 = { type: 'pkcs8', format: 'pem' } as const;

/**
 * A new key pair for a client's key_pair_type, from node:crypto, in PEM: rsa with its modulus
 * and exponent, ec on its curve, universal as Ed25519. Undefined when the type cannot make a
 * key (an unknown type, a curve or size node:crypto refuses).
 */
export async function generateKeyPairFor(keyPairType: KeyPairType): Promise<PemKeyPair | undefined> {
  try {
    switch (keyPairType.type) {
      case 'rsa': {
        const modulusLength = Number(keyPairType.modulus_size ?? MIN_RSA_MODULUS_SIZE);
        const publicExponent = Number(keyPairType.exponent_size ?? 65537);
        if (
          !Number.isInteger(modulusLength) ||
          modulusLength < MIN_RSA_MODULUS_SIZE ||
          modulusLength > MAX_RSA_MODULUS_SIZE
        )
          return undefined;
        if (!Number.isInteger(publicExponent) || publicExponent < 3 || publicExponent % 2 === 0) return undefined;
        return await generate('rsa', {
          modulusLength,
          publicExponent,
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
