import { createHash, createPublicKey } from 'node:crypto';
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Client } from '../../lambda/domain/client.js';
import { toClientView } from '../../lambda/domain/client-view.js';
import {
  actorFromAuthorizer,
  HISTORY_ENTRY_LIMITS,
  HISTORY_FIELDS,
  type HistoryEntryInput,
  historyEntry,
  historyEntrySize,
  importActor,
  jwkThumbprint,
  publicKeyFingerprint,
  valueFingerprint,
} from '../../lambda/domain/history-entry.js';
import { generateKeyPairFor, type PemKeyPair } from '../../lambda/domain/key-pairs.js';
import { CLIENT_ID, SCOPE_OPENID, SCOPE_PROFILE, storedClient } from '../support/clients.js';

const ACTOR = {
  sub: '3f1c0b52-8e4f-4c6a-9a51-2b7d8f0e9c11',
  client_id: '5k2j8h3g9f1d0s7a6p4o3i2u1y',
  issuer: 'https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_AbCdEfGhI',
};
const AT = new Date('2026-11-27T20:41:03.512Z');

function entryOf(before: Client | null, after: Client | null, overrides: Partial<HistoryEntryInput> = {}) {
  return historyEntry({
    clientId: CLIENT_ID,
    action: 'updated',
    version: 7,
    at: AT,
    actor: ACTOR,
    requestId: 'c6af9ac6-7b61-11e6-9a41-93e8deadbeef',
    sourceIp: '203.0.113.7',
    before,
    after,
    ...overrides,
  });
}

const sha256Prefix = (data: string) => `sha256:${createHash('sha256').update(data).digest('base64url').slice(0, 16)}`;

/** RFC 7638 §3.1 (RSA) and RFC 8037 appendix A.3 (Ed25519): each JWK and its thumbprint. */
const RFC_RSA_JWK = {
  kty: 'RSA',
  n: '0vx7agoebGcQSuuPiLJXZptN9nndrQmbXEps2aiAFbWhM78LhWx4cbbfAAtVT86zwu1RK7aPFFxuhDR1L6tSoc_BJECPebWKRXjBZCiFV4n3oknjhMstn64tZ_2W-5JsGY4Hc5n9yBXArwl93lqt7_RN5w6Cf0h4QyQ5v-65YGjQR0_FDW2QvzqY368QQMicAtaSqzs8KJZgnYb9c7d0zgdAZHzu6qMQvRL5hajrn1n91CbOpbISD08qNLyrdkt-bFTWhAI4vMQFh6WeZu0fM4lFd2NcRwr3XPksINHaQ-G_xBniIqbw0Ls1jF44-csFCur-kEgU8awapJzKnqDKgw',
  e: 'AQAB',
};
const RFC_RSA_THUMBPRINT = 'NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs';
const RFC_ED25519_JWK = { kty: 'OKP', crv: 'Ed25519', x: '11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo' };
const RFC_ED25519_THUMBPRINT = 'kPrK_qmxVWaYVA9wwBF6Iuo3vVzz7TxHCTwXBygrS4k';
const pemOf = (jwk: Record<string, string>) =>
  createPublicKey({ key: jwk, format: 'jwk' }).export({ type: 'spki', format: 'pem' }) as string;

describe('a history entry', () => {
  it('records who, when, from where, and each changed field from what to what', () => {
    const before = storedClient();
    const after = storedClient({ redirect_uris: ['https://b.example/cb'], access_token_ttl: 1800 });

    expect(entryOf(before, after)).toEqual({
      version: 7,
      at: '2026-11-27T20:41:03.512Z',
      action: 'updated',
      actor: ACTOR,
      request_id: 'c6af9ac6-7b61-11e6-9a41-93e8deadbeef',
      source_ip: '203.0.113.7',
      changes: {
        redirect_uris: { from: ['https://app.example.com/callback'], to: ['https://b.example/cb'] },
        access_token_ttl: { from: 86400, to: 1800 },
      },
    });
  });

  it('records the same entry when told the patch the write applies, in field order, comparing only its fields', () => {
    const before = storedClient();
    const patch = {
      access_token_ttl: 1800,
      name: before.name,
      secret: 'new secret',
      redirect_uris: ['https://b.example/cb'],
    };
    const after = { ...before, ...patch };

    const told = entryOf(before, after, { patch });

    expect(told).toEqual(entryOf(before, after));
    expect(Object.keys(told.changes)).toEqual(['secret', 'redirect_uris', 'access_token_ttl']);
  });

  it('records no change for values that show the same (a missing list is the empty list)', () => {
    const before = { ...storedClient(), trusted_hosts: undefined } as unknown as Client;

    expect(entryOf(before, storedClient({ trusted_hosts: [] })).changes).toEqual({});
  });

  it('records no change for a key_pair_type that holds the same keys in another order', () => {
    const before = storedClient({ key_pair_type: { type: 'rsa', modulus_size: '2048', exponent_size: '65537' } });
    const after = storedClient({ key_pair_type: { exponent_size: '65537', modulus_size: '2048', type: 'rsa' } });

    expect(entryOf(before, after).changes).toEqual({});
  });

  it('records no change for a key_pair_type that differs only by its prototype, as its JSON is the same', () => {
    const before = storedClient({ key_pair_type: Object.assign(Object.create(null), { type: 'rsa' }) });
    const after = storedClient({ key_pair_type: { type: 'rsa' } });
    expect(entryOf(before, after).changes).toEqual({});
  });

  it('records a key_pair_type whose values differ, in clear', () => {
    const before = storedClient({ key_pair_type: { type: 'rsa', modulus_size: '2048', exponent_size: '65537' } });
    const after = storedClient({ key_pair_type: { exponent_size: '65537', modulus_size: '4096', type: 'rsa' } });

    expect(entryOf(before, after).changes).toEqual({
      key_pair_type: {
        from: { type: 'rsa', modulus_size: '2048', exponent_size: '65537' },
        to: { exponent_size: '65537', modulus_size: '4096', type: 'rsa' },
      },
    });
  });

  it('records the secret and the private key only as fingerprints of the client, the field and the value', () => {
    const before = storedClient();
    const after = storedClient({ secret: 'new-secret-value', private_key: 'new private key material' });

    expect(entryOf(before, after).changes).toEqual({
      secret: {
        changed: true,
        from_fingerprint: sha256Prefix(`${CLIENT_ID}:secret:stored-secret-value`),
        to_fingerprint: sha256Prefix(`${CLIENT_ID}:secret:new-secret-value`),
      },
      private_key: {
        changed: true,
        from_fingerprint: sha256Prefix(`${CLIENT_ID}:private_key:stand-in private key material`),
        to_fingerprint: sha256Prefix(`${CLIENT_ID}:private_key:new private key material`),
      },
    });
  });

  it('gives equal secrets of two clients, or of two fields, different fingerprints', () => {
    const fingerprints = [
      valueFingerprint(CLIENT_ID, 'secret', 'same'),
      valueFingerprint('another-client', 'secret', 'same'),
      valueFingerprint(CLIENT_ID, 'private_key', 'same'),
    ];
    expect(new Set(fingerprints).size).toBe(3);
    expect(valueFingerprint(CLIENT_ID, 'secret', 'same')).toBe(fingerprints[0]);
  });

  it('records a secret set or cleared with a null fingerprint on the empty side', () => {
    expect(entryOf(storedClient({ secret: null }), storedClient()).changes.secret).toEqual({
      changed: true,
      from_fingerprint: null,
      to_fingerprint: sha256Prefix(`${CLIENT_ID}:secret:stored-secret-value`),
    });
  });

  describe('public keys', () => {
    let first: PemKeyPair;
    let second: PemKeyPair;
    beforeAll(async () => {
      [first, second] = (await Promise.all([
        generateKeyPairFor({ type: 'ec', curve: 'P-256' }),
        generateKeyPairFor({ type: 'universal' }),
      ])) as [PemKeyPair, PemKeyPair];
    });

    it.each([
      ['RSA', RFC_RSA_JWK, RFC_RSA_THUMBPRINT],
      ['Ed25519', RFC_ED25519_JWK, RFC_ED25519_THUMBPRINT],
    ])('computes the RFC 7638 JWK thumbprint of an %s key given in PEM', (_type, jwk, thumbprint) => {
      expect(jwkThumbprint(pemOf(jwk))).toBe(thumbprint);
    });

    it('records a regenerated key pair as the JWK thumbprints of the public keys', () => {
      const before = storedClient({ public_key: first.publicKey, private_key: first.privateKey });
      const after = storedClient({ public_key: second.publicKey, private_key: second.privateKey });

      const { public_key: change } = entryOf(before, after, { action: 'key_pair_regenerated' }).changes;

      expect(change).toEqual({
        changed: true,
        from_fingerprint: `sha256:${jwkThumbprint(first.publicKey)?.slice(0, 16)}`,
        to_fingerprint: `sha256:${jwkThumbprint(second.publicKey)?.slice(0, 16)}`,
      });
    });

    it('fingerprints a stored public key that is no key at all as a value', () => {
      expect(publicKeyFingerprint(CLIENT_ID, 'not a PEM')).toBe(sha256Prefix(`${CLIENT_ID}:public_key:not a PEM`));
    });
  });

  it('records the identity provider and the scopes as whole values', () => {
    const before = storedClient({ authorized_scopes: [SCOPE_OPENID, SCOPE_PROFILE] });
    const after = storedClient({
      authorized_scopes: [SCOPE_OPENID, { ...SCOPE_PROFILE, name: 'profile:read' }],
      identity_provider: { id: '2b0f7d9e-5c1a-4e8b-8d3f-6a7b9c0d1e2f', name: 'Partners' },
    });

    expect(entryOf(before, after).changes).toEqual({
      identity_provider: {
        from: { id: '8f6c2f54-3a6b-4c61-9b36-0c3c0f1c2a10', name: 'Main directory' },
        to: { id: '2b0f7d9e-5c1a-4e8b-8d3f-6a7b9c0d1e2f', name: 'Partners' },
      },
      authorized_scopes: {
        from: [SCOPE_OPENID, SCOPE_PROFILE],
        to: [SCOPE_OPENID, { ...SCOPE_PROFILE, name: 'profile:read' }],
      },
    });
  });

  it('fingerprints a value past the value cap, both sides alike', () => {
    const longList = Array.from({ length: 20 }, (_, index) => `https://app.example.com/callback/${index}`);
    const before = storedClient();

    expect(entryOf(before, storedClient({ redirect_uris: longList })).changes.redirect_uris).toEqual({
      changed: true,
      from_fingerprint: valueFingerprint(CLIENT_ID, 'redirect_uris', before.redirect_uris),
      to_fingerprint: valueFingerprint(CLIENT_ID, 'redirect_uris', longList),
    });
  });

  it('fingerprints a value nested deeper than the depth cap', () => {
    let nested: Record<string, unknown> = { type: 'rsa' };
    for (let level = 0; level < HISTORY_ENTRY_LIMITS.valueDepth; level += 1) nested = { type: 'rsa', extra: nested };

    const change = entryOf(storedClient(), storedClient({ key_pair_type: nested })).changes.key_pair_type;

    expect(change).toMatchObject({ changed: true, to_fingerprint: expect.stringMatching(/^sha256:/) });
  });

  it('records a created client as every set field from null', () => {
    const entry = entryOf(null, storedClient(), { action: 'created', version: 1 });

    expect(entry.changes.name).toEqual({ from: null, to: 'Demo client' });
    expect(entry.changes.access_token_ttl).toEqual({ from: null, to: 86400 });
    expect(entry.changes.public_client_id).toBeUndefined();
    expect(entry.changes.secret).toMatchObject({ from_fingerprint: null, to_fingerprint: expect.any(String) });
    expect(historyEntrySize(entry)).toBeLessThanOrEqual(HISTORY_ENTRY_LIMITS.entryBytes);
  });

  it('records a deleted client as every set field to null', () => {
    const entry = entryOf(storedClient(), null, { action: 'deleted' });

    expect(entry.changes.redirect_uris).toEqual({ from: ['https://app.example.com/callback'], to: null });
    expect(entry.changes.private_key).toMatchObject({ from_fingerprint: expect.any(String), to_fingerprint: null });
  });

  it('fingerprints the largest values first when the entry would pass its cap', () => {
    const big = (character: string) => character.repeat(HISTORY_ENTRY_LIMITS.valueBytes - 10);
    const before = storedClient({ name: big('a'), trusted_authorities: big('b'), jwt_public_key: big('c') });
    const after = storedClient({ name: big('d'), trusted_authorities: big('e'), jwt_public_key: `${big('f')}xx` });

    const entry = entryOf(before, after);

    expect(historyEntrySize(entry)).toBeLessThanOrEqual(HISTORY_ENTRY_LIMITS.entryBytes);
    expect(entry.changes.jwt_public_key).toMatchObject({ changed: true, to_fingerprint: expect.any(String) });
    expect(entry.changes.name).toEqual({ from: big('a'), to: big('d') });
  });

  it('still names every changed field, and keeps the secrets’ fingerprints, when every field changes at every cap', () => {
    const maximal = (character: string, number: number, flag: boolean): Client => {
      const text = character.repeat(600);
      return {
        ...Object.fromEntries(HISTORY_FIELDS.map((field) => [field, text])),
        trusted_hosts: [text],
        redirect_uris: [text],
        supported_grant_types: [text],
        token_endpoint_auth_methods: [text],
        key_pair_type: { type: text },
        identity_provider: { id: text, name: text },
        authorized_scopes: [{ id: text, name: text, public: flag }],
        ...Object.fromEntries(
          [
            'access_token_ttl',
            'authorization_code_ttl',
            'authorization_request_ttl',
            'refresh_token_ttl',
            'id_token_ttl',
          ].map((field) => [field, number]),
        ),
        ...Object.fromEntries(
          ['check_public_client_id', 'confidential', 'public_refresh_token', 'public_revoke', 'authorize_scope']
            .concat(['enforce_dpop', 'enforce_tx_code', 'pkce'])
            .map((field) => [field, flag]),
        ),
      } as unknown as Client;
    };
    const long = 'x'.repeat(HISTORY_ENTRY_LIMITS.actorTextBytes);
    const request = 'y'.repeat(HISTORY_ENTRY_LIMITS.requestTextBytes);

    const entry = entryOf(maximal('a', 1, false), maximal('b', 2, true), {
      version: Number.MAX_SAFE_INTEGER,
      action: 'identity_provider_renamed',
      actor: { sub: long, client_id: long, issuer: long },
      requestId: request,
      sourceIp: request,
    });

    expect(historyEntrySize(entry)).toBeLessThanOrEqual(HISTORY_ENTRY_LIMITS.entryBytes);
    expect(Object.keys(entry.changes)).toEqual([...HISTORY_FIELDS]);
    for (const field of ['secret', 'private_key', 'public_key'] as const) {
      expect(entry.changes[field]).toEqual({
        changed: true,
        from_fingerprint: expect.stringMatching(/^sha256:[\w-]{16}$/),
        to_fingerprint: expect.stringMatching(/^sha256:[\w-]{16}$/),
      });
    }
    expect(entry.actor.sub).toBe(long);
  });

  it('keeps an actor text past its cap, and a long request id, as fingerprints', () => {
    const sub = 'u'.repeat(HISTORY_ENTRY_LIMITS.actorTextBytes + 1);
    const requestId = 'r'.repeat(HISTORY_ENTRY_LIMITS.requestTextBytes + 1);

    const entry = entryOf(storedClient(), storedClient(), { actor: { ...ACTOR, sub }, requestId, sourceIp: '' });

    expect(entry.actor.sub).toBe(sha256Prefix(sub));
    expect(entry.request_id).toBe(sha256Prefix(requestId));
    expect(entry.source_ip).toBeNull();
  });
});

describe('actors', () => {
  it('reads the sub, client_id and issuer the token authorizer passed on', () => {
    expect(
      actorFromAuthorizer({ sub: 'user-1', client_id: 'admin-ui', iss: 'https://idp.example.com/', scope: 'x' }),
    ).toEqual({ sub: 'user-1', client_id: 'admin-ui', issuer: 'https://idp.example.com/' });
  });

  it('records what the authorizer left empty or out as null', () => {
    expect(actorFromAuthorizer({ sub: 'user-1', client_id: '' })).toEqual({
      sub: 'user-1',
      client_id: null,
      issuer: null,
    });
    expect(actorFromAuthorizer(undefined)).toEqual({ sub: null, client_id: null, issuer: null });
  });

  it('names the import’s actor in sub', () => {
    expect(importActor('arn:aws:sts::123456789012:assumed-role/deploy/ci')).toEqual({
      sub: 'arn:aws:sts::123456789012:assumed-role/deploy/ci',
      client_id: null,
      issuer: null,
    });
  });
});

/**
 * Secrets, private keys and public keys carry a `~`, which no other generated value contains:
 * an entry that holds one in clear (raw or JSON-escaped) would show it.
 */
const SENSITIVE = fc
  .oneof(
    fc.string({ maxLength: 40 }),
    fc.string({ minLength: 500, maxLength: 3000 }),
    fc.constantFrom(pemOf(RFC_RSA_JWK), pemOf(RFC_ED25519_JWK)),
  )
  .map((text) => `~${text.replaceAll('~', '')}~`);
const TEXT = fc.string({ maxLength: 600 }).map((text) => text.replaceAll('~', ''));
const TEXTS = fc.array(TEXT, { maxLength: 12 });
const clientArbitrary: fc.Arbitrary<Client> = fc.record({
  id: fc.constant(CLIENT_ID),
  public_client_id: fc.option(TEXT),
  check_public_client_id: fc.boolean(),
  trusted_authorities: TEXT,
  trusted_hosts: TEXTS,
  name: fc.option(TEXT),
  secret: fc.option(SENSITIVE),
  confidential: fc.boolean(),
  redirect_uris: TEXTS,
  public_refresh_token: fc.boolean(),
  public_revoke: fc.boolean(),
  authorize_scope: fc.boolean(),
  enforce_dpop: fc.boolean(),
  enforce_tx_code: fc.boolean(),
  access_token_ttl: fc.integer(),
  authorization_code_ttl: fc.integer(),
  authorization_request_ttl: fc.integer(),
  refresh_token_ttl: fc.integer(),
  id_token_ttl: fc.integer(),
  pkce: fc.boolean(),
  public_key: fc.option(SENSITIVE),
  private_key: fc.option(SENSITIVE),
  key_pair_type: fc.dictionary(TEXT, TEXT, { maxKeys: 4 }),
  signatures_adapter: TEXT,
  did: fc.option(TEXT),
  identity_provider: fc.option(fc.record({ id: TEXT, name: fc.option(TEXT) })),
  authorized_scopes: fc.array(fc.record({ id: TEXT, name: TEXT, public: fc.boolean() }), { maxLength: 8 }),
  supported_grant_types: fc.option(TEXTS),
  id_token_signature_alg: fc.option(TEXT),
  userinfo_signed_response_alg: fc.option(TEXT),
  token_endpoint_jwt_auth_alg: TEXT,
  token_endpoint_auth_methods: TEXTS,
  jwt_public_key: fc.option(TEXT),
  response_mode: fc.option(TEXT),
});
/** An update of some fields of a client, or a create (no before) or a delete (no after). */
const beforeAndAfter = fc
  .tuple(clientArbitrary, clientArbitrary, fc.array(fc.constantFrom(...HISTORY_FIELDS)), fc.nat(2))
  .map(([before, other, fields, kind]) => {
    const after = { ...before, ...Object.fromEntries(fields.map((field) => [field, other[field]])) } as Client;
    return kind === 0 ? { before: null, after } : kind === 1 ? { before, after: null } : { before, after };
  });

describe('every generated entry', () => {
  it('never holds a secret, a private key or a public key in clear, stays within its cap and names each change', () => {
    fc.assert(
      fc.property(beforeAndAfter, ({ before, after }) => {
        const entry = entryOf(before, after);
        const text = JSON.stringify(entry);
        for (const client of [before, after]) {
          for (const value of [client?.secret, client?.private_key, client?.public_key]) {
            if (!value) continue;
            expect(text).not.toContain(value);
            expect(text).not.toContain(JSON.stringify(value).slice(1, -1));
          }
        }
        expect(historyEntrySize(entry)).toBeLessThanOrEqual(HISTORY_ENTRY_LIMITS.entryBytes);
        const shown = (client: Client | null, field: (typeof HISTORY_FIELDS)[number]) =>
          JSON.stringify(client ? { ...toClientView(client), private_key: client.private_key }[field] : null);
        expect(Object.keys(entry.changes)).toEqual(
          HISTORY_FIELDS.filter((field) => shown(before, field) !== shown(after, field)),
        );
      }),
      { numRuns: 300 },
    );
  });
});
