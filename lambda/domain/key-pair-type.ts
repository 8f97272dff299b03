import { EC_CURVES, KEY_PAIR_TYPES } from './client.js';

const SIZE_AND_CURVE_KEYS = ['modulus_size', 'exponent_size', 'curve'] as const;
export const MIN_RSA_MODULUS_SIZE = 2048;
// Not in upstream: a larger key takes longer to generate than API Gateway waits on Lambda.
export const MAX_RSA_MODULUS_SIZE = 4096;
/** The only RSA public exponent accepted (F4): a small one such as 3 weakens the key. */
export const RSA_PUBLIC_EXPONENT = '65537';

/**
 * Upstream keeps keys beyond the four it knows; here every key, known or extra, is a short flat
 * string, so that no value can break the item DynamoDB stores (docs/api.md "Limits").
 */
export const KEY_PAIR_TYPE_SHAPE = {
  maxProperties: 12,
  // A letter first: never `__proto__`, which would become a prototype when the item is read back.
  propertyName: /^[A-Za-z][A-Za-z0-9_-]{0,63}$/,
  maxValueLength: 255,
} as const;

/**
 * The messages for a `key_pair_type` object, in upstream's wording (its JSON-schema checks,
 * extended to a closed shape): first the schema checks (all of them), then, only when those
 * pass, the per-type requirements.
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
  const names = Object.keys(keyPairType);
  if (names.length > KEY_PAIR_TYPE_SHAPE.maxProperties) {
    // Checked before any name: a huge object costs no more than this count.
    messages.push(
      `validation failed: Expected a maximum of ${KEY_PAIR_TYPE_SHAPE.maxProperties} properties but got ${names.length} at #.`,
    );
    return messages;
  }
  const wellNamed = names.filter((name) => KEY_PAIR_TYPE_SHAPE.propertyName.test(name));
  if (wellNamed.length < names.length) {
    messages.push(
      `validation failed: Property names at # do match required pattern /${KEY_PAIR_TYPE_SHAPE.propertyName.source}/.`,
    );
  }
  const extras = wellNamed.filter(
    (name) => name !== 'type' && !(SIZE_AND_CURVE_KEYS as readonly string[]).includes(name),
  );
  for (const name of [...SIZE_AND_CURVE_KEYS.filter((key) => Object.hasOwn(keyPairType, key)), ...extras]) {
    const value = keyPairType[name];
    if (typeof value !== 'string') messages.push(typeMismatch(name, value));
    else if (value.length > KEY_PAIR_TYPE_SHAPE.maxValueLength) {
      messages.push(
        `validation failed: Expected value to have a maximum length of ${KEY_PAIR_TYPE_SHAPE.maxValueLength} but was ${value.length} at #/${name}.`,
      );
    }
  }
  if (typeof curve === 'string' && !(EC_CURVES as readonly string[]).includes(curve)) {
    messages.push('validation failed: #/curve do match required pattern /^P-256|P-384|P-521$/.');
  }
  return messages;
}

function requirementMessages({ type, modulus_size, exponent_size, curve }: Record<string, unknown>): string[] {
  const messages: string[] = [];
  if (type === 'rsa') messages.push(...modulusMessages(modulus_size));
  if (type === 'ec' && curve === undefined) messages.push('ec curve is required');
  if (exponent_size !== undefined && exponent_size !== RSA_PUBLIC_EXPONENT) messages.push('is invalid');
  return messages;
}

function modulusMessages(modulusSize: unknown): string[] {
  if (modulusSize === undefined) return ['rsa modulus_size is required'];
  if (!/^\d+$/.test(modulusSize as string)) return ['rsa modulus_size must be an integer'];
  const size = Number(modulusSize);
  if (size < MIN_RSA_MODULUS_SIZE) return [`rsa modulus_size must be at least ${MIN_RSA_MODULUS_SIZE}`];
  if (size > MAX_RSA_MODULUS_SIZE) return [`rsa modulus_size must be at most ${MAX_RSA_MODULUS_SIZE}`];
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
