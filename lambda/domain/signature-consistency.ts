import {
  type Client,
  INTERNAL_SIGNATURES_ADAPTER,
  type KeyPairTypeName,
  keyPairTypeName,
  UNIVERSAL_SIGNATURES_ADAPTER,
} from './client.js';
import type { FieldErrorCollector } from './field-errors.js';

const SIGNATURE_FIELDS = [
  'key_pair_type',
  'signatures_adapter',
  'id_token_signature_alg',
  'userinfo_signed_response_alg',
] as const;
type SignatureField = (typeof SIGNATURE_FIELDS)[number];

const ADAPTER_BY_KEY_TYPE: Record<KeyPairTypeName, string> = {
  rsa: INTERNAL_SIGNATURES_ADAPTER,
  ec: INTERNAL_SIGNATURES_ADAPTER,
  universal: UNIVERSAL_SIGNATURES_ADAPTER,
};

const ALG_ALLOWED_FOR_KEY_TYPE: Record<KeyPairTypeName, (alg: string) => boolean> = {
  rsa: (alg) => alg.startsWith('RS') || alg.startsWith('HS'),
  ec: (alg) => alg.startsWith('ES') || alg.startsWith('HS'),
  universal: (alg) => alg === 'EdDSA',
};

/**
 * CONTRACT §4 "Consistency": when a request touches any of the key type, the signatures adapter
 * or the two signature algorithms, all four are checked together on their effective values (the
 * request's over the stored ones), so a client never ends with an ES* algorithm on an rsa key.
 *
 * `sent` holds the raw values of the request (a key type that failed its own checks still names
 * its type); `changes` the values that passed; fields already in `errors` get no further check.
 */
export function checkSignatureConsistency(
  sent: Record<string, unknown>,
  changes: Partial<Client>,
  stored: Client,
  errors: FieldErrorCollector,
): void {
  if (!SIGNATURE_FIELDS.some((field) => Object.hasOwn(sent, field))) return;
  const effective = <F extends SignatureField>(field: F): Client[F] =>
    Object.hasOwn(changes, field) ? (changes[field] as Client[F]) : stored[field];

  const keyPairType = Object.hasOwn(sent, 'key_pair_type') ? sent.key_pair_type : stored.key_pair_type;
  if (keyPairType === null || typeof keyPairType !== 'object' || Array.isArray(keyPairType)) return;
  const keyType = keyPairTypeName(keyPairType);

  if (!errors.has('signatures_adapter')) {
    if (keyType === undefined) errors.add('signatures_adapter', 'unknown key pair type');
    else if (effective('signatures_adapter') !== ADAPTER_BY_KEY_TYPE[keyType]) {
      errors.add('signatures_adapter', 'is invalid');
    }
  }
  if (keyType === undefined) return;
  for (const field of ['id_token_signature_alg', 'userinfo_signed_response_alg'] as const) {
    const alg = effective(field);
    if (!errors.has(field) && typeof alg === 'string' && !ALG_ALLOWED_FOR_KEY_TYPE[keyType](alg)) {
      errors.add(field, 'is invalid');
    }
  }
}
