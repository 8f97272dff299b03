import { generateKeyPairSync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { Client } from '../../lambda/domain/client.js';
import { planUpdate } from '../../lambda/domain/update-plan.js';
import { parseImportRequest, parseUpdateRequest } from '../../lambda/domain/update-request.js';
import { HISTORY_BYTES, storedClient } from '../support/clients.js';
import { NO_LOOKUPS } from '../support/plan.js';

function pemPair(type: 'rsa' | 'ec' | 'ed25519', options: object = {}, format: 'spki' | 'pkcs1' = 'spki') {
  const { publicKey, privateKey } = generateKeyPairSync(type as 'rsa', options as { modulusLength: number });
  return {
    public_key: publicKey.export({ type: format, format: 'pem' }) as string,
    private_key: privateKey.export({ type: format === 'spki' ? 'pkcs8' : 'pkcs1', format: 'pem' }) as string,
  };
}

const RSA_2048 = pemPair('rsa', { modulusLength: 2048 });
const RSA_2048_PKCS1 = pemPair('rsa', { modulusLength: 2048 }, 'pkcs1');
const OTHER_RSA_2048 = pemPair('rsa', { modulusLength: 2048 });
const RSA_3072 = pemPair('rsa', { modulusLength: 3072 });
const RSA_2048_E3 = pemPair('rsa', { modulusLength: 2048, publicExponent: 3 });
const EC_P256 = pemPair('ec', { namedCurve: 'P-256' });
const EC_P384 = pemPair('ec', { namedCurve: 'P-384' });
const ED25519 = pemPair('ed25519');

function importPlan(fields: Record<string, unknown>, stored: Client = storedClient()) {
  const parsed = parseImportRequest(fields);
  if (!parsed.ok) throw new Error(JSON.stringify(parsed.errors));
  return planUpdate(parsed.request, stored, NO_LOOKUPS, HISTORY_BYTES);
}

describe('keys given to an import or a seed', () => {
  it.each([
    ['rsa 2048 (SPKI and PKCS#8)', { type: 'rsa', modulus_size: '2048', exponent_size: '65537' }, RSA_2048, 'RS512'],
    ['rsa 2048 (PKCS#1, as older servers store it)', { type: 'rsa', modulus_size: '2048' }, RSA_2048_PKCS1, 'RS512'],
    ['rsa 3072', { type: 'rsa', modulus_size: '3072' }, RSA_3072, 'RS256'],
    ['ec P-256', { type: 'ec', curve: 'P-256' }, EC_P256, 'ES256'],
    ['ec P-384', { type: 'ec', curve: 'P-384' }, EC_P384, 'ES384'],
  ])('stores %s keys of the key type, as given', (_, keyPairType, keys, alg) => {
    expect(importPlan({ key_pair_type: keyPairType, id_token_signature_alg: alg, ...keys })).toEqual({
      status: 'ready',
      patch: { key_pair_type: keyPairType, id_token_signature_alg: alg, ...keys },
      newScopeNames: [],
    });
  });

  it('checks the keys against the stored key type when the import does not change it, and keeps a given did', () => {
    const universal = storedClient({
      key_pair_type: { type: 'universal' },
      signatures_adapter: 'Elixir.Boruta.Universal.Signatures',
      id_token_signature_alg: 'EdDSA',
    });

    expect(importPlan({ ...ED25519, did: 'did:key:z6Mk' }, universal)).toMatchObject({
      status: 'ready',
      patch: { ...ED25519, did: 'did:key:z6Mk' },
    });
    expect(importPlan({ ...EC_P256 }, universal)).toEqual({
      status: 'invalid',
      errors: { public_key: ['does not match key_pair_type'], private_key: ['does not match key_pair_type'] },
    });
  });

  it.each([
    ['ec keys for an rsa key type', {}, EC_P256, 'does not match key_pair_type'],
    ['rsa 3072 keys for an rsa 2048 key type', {}, RSA_3072, 'does not match key_pair_type'],
    ['rsa keys with the exponent 3', {}, RSA_2048_E3, 'does not match key_pair_type'],
    [
      'P-384 keys for a P-256 key type',
      { key_pair_type: { type: 'ec', curve: 'P-256' }, id_token_signature_alg: 'ES256' },
      EC_P384,
      'does not match key_pair_type',
    ],
  ])('refuses %s', (_, fields, keys, message) => {
    expect(importPlan({ ...fields, ...keys })).toEqual({
      status: 'invalid',
      errors: { public_key: [message], private_key: [message] },
    });
  });

  it('refuses a private key where the public key goes, which the view would show', () => {
    expect(importPlan({ public_key: RSA_2048.private_key, private_key: RSA_2048.private_key })).toEqual({
      status: 'invalid',
      errors: { public_key: ['is invalid'] },
    });
  });

  it('refuses keys that are not the two halves of one pair', () => {
    expect(importPlan({ public_key: RSA_2048.public_key, private_key: OTHER_RSA_2048.private_key })).toEqual({
      status: 'invalid',
      errors: { private_key: ['does not match public_key'] },
    });
  });

  it.each([
    [
      'text that is no key',
      { public_key: 'not a key', private_key: 'not a key' },
      { public_key: ['is invalid'], private_key: ['is invalid'] },
    ],
    [
      'keys that are not strings',
      { public_key: 42, private_key: { pem: 'x' } },
      { public_key: ['is invalid'], private_key: ['is invalid'] },
    ],
    ['a private key without its public key', { private_key: RSA_2048.private_key }, { public_key: ["can't be blank"] }],
    ['a blank public key', { public_key: ' ', private_key: RSA_2048.private_key }, { public_key: ["can't be blank"] }],
    [
      'keys over 8192 characters',
      { public_key: `${RSA_2048.public_key}${' '.repeat(8192)}`, private_key: 'k'.repeat(8193) },
      {
        public_key: ['should be at most 8192 character(s)'],
        private_key: ['should be at most 8192 character(s)'],
      },
    ],
    ['a did that is not one', { ...RSA_2048, did: 'web:example.com' }, { did: ['is invalid'] }],
    [
      'a did over 2048 characters',
      { ...RSA_2048, did: `did:key:z${'a'.repeat(2040)}` },
      { did: ['should be at most 2048 character(s)'] },
    ],
  ])('refuses %s', (_, fields, errors) => {
    expect(importPlan(fields)).toEqual({ status: 'invalid', errors });
  });

  it('ignores a public key and did given without the private key, as an export of GET /api/clients holds them', () => {
    expect(importPlan({ name: 'Exported', public_key: 'anything', did: 'did:key:zOld' })).toEqual({
      status: 'ready',
      patch: { name: 'Exported' },
      newScopeNames: [],
    });
  });

  it('leaves keys out of an API body: they change through their own routes only', () => {
    const parsed = parseUpdateRequest({ client: { ...RSA_2048, did: 'did:key:z6Mk' } });
    if (!parsed.ok) throw new Error('rejected');

    expect(planUpdate(parsed.request, storedClient(), NO_LOOKUPS, HISTORY_BYTES)).toEqual({
      status: 'ready',
      patch: {},
      newScopeNames: [],
    });
  });
});

describe('identity provider of an imported client', () => {
  it.each([
    ['as an export shows it', { id: null, name: null }],
    ['with a blank id', { id: '' }],
    ['null', null],
  ])('may be absent: %s', (_, identityProvider) => {
    expect(importPlan({ name: 'x', identity_provider: identityProvider })).toEqual({
      status: 'ready',
      patch: { name: 'x' },
      newScopeNames: [],
    });
  });

  it("stays required by the API's update to be a real id when given", () => {
    const parsed = parseUpdateRequest({ client: { identity_provider: { id: null, name: null } } });
    if (!parsed.ok) throw new Error('rejected');

    expect(planUpdate(parsed.request, storedClient(), NO_LOOKUPS, HISTORY_BYTES)).toEqual({
      status: 'invalid',
      errors: { identity_provider_id: ["can't be blank"] },
    });
  });
});
