import type { KeyPairType } from '../../lambda/domain/client.js';
import { generateKeyPairFor } from '../../lambda/domain/key-pairs.js';
import { API_FUNCTIONS } from '../../lib/api-routes.js';
import { percentile, round } from './stats.js';

/** The functions that generate keys: create (for the key type asked) and regenerate_key_pair. */
const KEY_GENERATING_FUNCTIONS = ['create-client', 'regenerate-key-pair'] as const;

export interface FunctionLimits {
  name: string;
  timeoutMs: number;
  memoryMb: number;
}

/** A function's settings, from the one definition the stack deploys. */
function limitsOf(name: (typeof KEY_GENERATING_FUNCTIONS)[number]): FunctionLimits {
  const { timeoutSeconds, memorySize } = API_FUNCTIONS[name];
  return { name, timeoutMs: timeoutSeconds * 1000, memoryMb: memorySize };
}

/** The key types the API generates (RSA sizes the usual ones up to the 4096 cap). */
export const KEY_TYPES: [string, KeyPairType][] = [
  ['RSA 2048', { type: 'rsa', modulus_size: '2048' }],
  ['RSA 3072', { type: 'rsa', modulus_size: '3072' }],
  ['RSA 4096', { type: 'rsa', modulus_size: '4096' }],
  ['EC P-256', { type: 'ec', curve: 'P-256' }],
  ['EC P-384', { type: 'ec', curve: 'P-384' }],
  ['EC P-521', { type: 'ec', curve: 'P-521' }],
  ['Ed25519', { type: 'universal' }],
];

export interface KeyGenerationFigures {
  functions: FunctionLimits[];
  keyTypes: { keyType: string; samples: number; p50Ms: number; maxMs: number }[];
}

const MIN_SAMPLES = 3;
const MAX_SAMPLES = 200;

/**
 * Time to generate a key pair of each type as the functions do (generateKeyPairFor, one at a
 * time: one core), for `seconds` per type or at least 3 and at most 200 keys. RSA generation
 * searches for primes: its time varies widely, hence the max beside the p50.
 */
export async function measureKeyGeneration(seconds: number): Promise<KeyGenerationFigures> {
  const keyTypes: KeyGenerationFigures['keyTypes'] = [];
  for (const [keyType, keyPairType] of KEY_TYPES) {
    const samples: number[] = [];
    const deadline = Date.now() + seconds * 1000;
    while (samples.length < MAX_SAMPLES && (samples.length < MIN_SAMPLES || Date.now() < deadline)) {
      const started = process.hrtime.bigint();
      if (!(await generateKeyPairFor(keyPairType))) throw new Error(`no ${keyType} key was generated`);
      samples.push(Number(process.hrtime.bigint() - started) / 1e6);
    }
    keyTypes.push({
      keyType,
      samples: samples.length,
      p50Ms: round(percentile(samples, 0.5)),
      maxMs: round(Math.max(...samples)),
    });
  }
  return { functions: KEY_GENERATING_FUNCTIONS.map(limitsOf), keyTypes };
}
