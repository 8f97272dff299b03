import { EC_CURVES, KEY_PAIR_TYPES } from './client.js';

const SIZE_AND_CURVE_KEYS = ['modulus_size', 'exponent_size', 'curve'] as const;
export const MIN_RSA_MODULUS_SIZE = 2048;
// Not in upstream: a larger modulus makes regenerate_key_pair run for minutes inside a Lambda.
export const MAX_RSA_MODULUS_SIZE = 8192;

/**
 * The messages for a `key_pair_type` object, in upstream's wording: first its JSON-schema
 * checks (all of them), then, only when those pass, the per-type requirements.
 */
export function keyPairTypeMessages(keyPairType: Record<string, unknown>): string[] {
  const messages = schemaMessages(keyPairType);
  return messages.length > 0 ? messages : requirementMessages(keyPairType);
}

function schemaMessages(keyPairType: Record<string, unknown>): string[] {
  const messages: string[] = [];
  const { type, curve } = keyPairType;
  if (!Object.hasOwn(keyPairType, 'type')) {
    messages.push('validation failed: Required property type is missing at #.');
  } else if (typeof type !== 'string') {
    messages.push(typeMismatch('type', type));
  } else if (!(KEY_PAIR_TYPES as readonly string[]).includes(type)) {
    messages.push('validation failed: #/type do match required pattern /^ec|rsa|universal$/.');
  }
  for (const key of SIZE_AND_CURVE_KEYS) {
    if (Object.hasOwn(keyPairType, key) && typeof keyPairType[key] !== 'string') {
      messages.push(typeMismatch(key, keyPairType[key]));
    }
  }
  if (typeof curve === 'string' && !(EC_CURVES as readonly string[]).includes(curve)) {
    messages.push('validation failed: #/curve do match required pattern /^P-256|P-384|P-521$/.');
  }
  return messages;
}

function requirementMessages({ type, modulus_size, curve }: Record<string, unknown>): string[] {
  if (type === 'rsa') {
    if (modulus_size === undefined) return ['rsa modulus_size is required'];
    if (!/^\d+$/.test(modulus_size as string)) return ['rsa modulus_size must be an integer'];
    const size = Number(modulus_size);
    if (size < MIN_RSA_MODULUS_SIZE) return [`rsa modulus_size must be at least ${MIN_RSA_MODULUS_SIZE}`];
    if (size > MAX_RSA_MODULUS_SIZE) return [`rsa modulus_size must be at most ${MAX_RSA_MODULUS_SIZE}`];
  }
  if (type === 'ec' && curve === undefined) return ['ec curve is required'];
  return [];
}

function typeMismatch(key: string, value: unknown): string {
  return `validation failed: The type at #/${key} \`${jsonSchemaType(value)}\` do not match the required types ["string"].`;
}

function jsonSchemaType(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  if (typeof value === 'number') return Number.isInteger(value) ? 'integer' : 'number';
  return typeof value;
}
