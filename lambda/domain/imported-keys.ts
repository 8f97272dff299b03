import { createPrivateKey, createPublicKey, type KeyObject } from 'node:crypto';
import type { Client, KeyPairType } from './client.js';
import { INVALID, isBlankString } from './client-fields.js';
import type { FieldErrorCollector } from './field-errors.js';
import { RSA_PUBLIC_EXPONENT } from './key-pair-type.js';
import type { ImportedKeyMaterial } from './update-request.js';

/** Room for the PEM of the largest key a key type allows (RSA 4096: about 3.3 KB). */
export const MAX_IMPORTED_KEY_CHARACTERS = 8192;
export const MAX_DID_CHARACTERS = 2048;

// node:crypto names the curves as OpenSSL does.
const CURVE_BY_OPENSSL_NAME: Record<string, string> = {
  prime256v1: 'P-256',
  secp384r1: 'P-384',
  secp521r1: 'P-521',
};

/**
 * The keys and did an import gives, checked against the client's effective key type: PEM that
 * node:crypto parses as a public and a private key of that type (rsa of its modulus size with
 * the exponent 65537, ec on its curve, universal as Ed25519), the private key being the pair of
 * the public one. Failures go to `errors`; what passed is returned as attributes to write.
 */
export function checkImportedKeys(
  imported: ImportedKeyMaterial,
  keyPairType: KeyPairType,
  errors: FieldErrorCollector,
): Partial<Pick<Client, 'public_key' | 'private_key' | 'did'>> {
  const attributes: Partial<Pick<Client, 'public_key' | 'private_key' | 'did'>> = {};
  if (Object.hasOwn(imported, 'did')) {
    const did = checkedDid(imported.did, errors);
    if (did !== undefined) attributes.did = did;
  }
  const publicKey = keyOf('public_key', imported.public_key, errors);
  const privateKey = keyOf('private_key', imported.private_key, errors);
  for (const [field, key] of [
    ['public_key', publicKey],
    ['private_key', privateKey],
  ] as const) {
    if (key && !isKeyOfType(key, keyPairType)) errors.add(field, 'does not match key_pair_type');
  }
  if (!publicKey || !privateKey || errors.has('public_key') || errors.has('private_key')) return attributes;
  const derived = createPublicKey(privateKey).export({ type: 'spki', format: 'der' });
  if (!derived.equals(publicKey.export({ type: 'spki', format: 'der' }))) {
    errors.add('private_key', 'does not match public_key');
    return attributes;
  }
  return { ...attributes, public_key: imported.public_key as string, private_key: imported.private_key as string };
}

function checkedDid(value: unknown, errors: FieldErrorCollector): string | null | undefined {
  if (value === null) return null;
  if (typeof value !== 'string' || !value.startsWith('did:')) errors.add('did', INVALID);
  else if (value.length > MAX_DID_CHARACTERS) {
    errors.add('did', `should be at most ${MAX_DID_CHARACTERS} character(s)`);
  } else return value;
  return undefined;
}

function keyOf(field: 'public_key' | 'private_key', value: unknown, errors: FieldErrorCollector) {
  if (value === undefined || value === null || isBlankString(value)) {
    errors.add(field, "can't be blank");
    return undefined;
  }
  if (typeof value !== 'string') {
    errors.add(field, INVALID);
    return undefined;
  }
  if (value.length > MAX_IMPORTED_KEY_CHARACTERS) {
    errors.add(field, `should be at most ${MAX_IMPORTED_KEY_CHARACTERS} character(s)`);
    return undefined;
  }
  const key = field === 'private_key' ? parsed(() => createPrivateKey(value)) : publicKeyOnly(value);
  if (!key) errors.add(field, INVALID);
  return key;
}

/** createPublicKey also accepts private key material, which must never sit where the view shows it. */
function publicKeyOnly(pem: string): KeyObject | undefined {
  return parsed(() => createPrivateKey(pem)) ? undefined : parsed(() => createPublicKey(pem));
}

function parsed(create: () => KeyObject): KeyObject | undefined {
  try {
    return create();
  } catch {
    return undefined;
  }
}

function isKeyOfType(key: KeyObject, { type, modulus_size, curve }: KeyPairType): boolean {
  const details = key.asymmetricKeyDetails ?? {};
  switch (type) {
    case 'rsa':
      return (
        key.asymmetricKeyType === 'rsa' &&
        details.modulusLength === Number(modulus_size) &&
        details.publicExponent === BigInt(RSA_PUBLIC_EXPONENT)
      );
    case 'ec':
      return key.asymmetricKeyType === 'ec' && CURVE_BY_OPENSSL_NAME[details.namedCurve ?? ''] === curve;
    case 'universal':
      return key.asymmetricKeyType === 'ed25519';
    default:
      return false;
  }
}
