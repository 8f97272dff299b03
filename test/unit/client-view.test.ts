import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  clientWithDefaults,
  DEFAULT_KEY_PAIR_TYPE,
  generateClientSecret,
} from '../../lambda/domain/client-defaults.js';
import { CLIENT_VIEW_KEYS, toClientView } from '../../lambda/domain/client-view.js';
import { generateKeyPairFor, type PemKeyPair } from '../../lambda/domain/key-pairs.js';
import { IDENTITY_PROVIDER, SCOPE_OPENID, storedClient } from '../support/clients.js';
import { CREATE_DEFAULTS } from '../support/update-model.js';

describe('toClientView', () => {
  it('shows exactly the 33 keys of the contract, never the private key', () => {
    const view = toClientView(storedClient());
    expect(Object.keys(view)).toEqual([...CLIENT_VIEW_KEYS]);
    expect(Object.keys(view)).toHaveLength(33);
    expect(JSON.stringify(view)).not.toContain(storedClient().private_key);
  });

  it('shapes the identity provider and scopes as the contract says', () => {
    const client = storedClient({ authorized_scopes: [{ ...SCOPE_OPENID, extra: 'x' } as typeof SCOPE_OPENID] });
    const view = toClientView(client);
    expect(view.identity_provider).toEqual(IDENTITY_PROVIDER);
    expect(view.authorized_scopes).toEqual([SCOPE_OPENID]);
  });

  it('fills what an older or imported item lacks', () => {
    const partial = { id: 'x', identity_provider: null } as unknown as Parameters<typeof toClientView>[0];
    const view = toClientView(partial);
    expect(view.identity_provider).toEqual({ id: null, name: null });
    expect(view.trusted_authorities).toBe('');
    expect(view.trusted_hosts).toEqual([]);
    expect(view.authorized_scopes).toEqual([]);
    expect(view.public_client_id).toBeNull();
  });
});

describe('create defaults', () => {
  it('gives a new client the defaults of CONTRACT §5 and an RSA-2048 key pair', async () => {
    const keyPair = (await generateKeyPairFor(DEFAULT_KEY_PAIR_TYPE)) as PemKeyPair;
    const created = clientWithDefaults({
      id: randomUUID(),
      identityProvider: IDENTITY_PROVIDER,
      keyPair,
      secret: generateClientSecret(),
    });
    const { public_key, private_key, secret, id, ...rest } = created;
    expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(secret).toMatch(/^[A-Za-z0-9]{86}$/);
    expect(public_key).toMatch(/^-----BEGIN PUBLIC KEY-----\n/);
    expect(private_key).toMatch(/^-----BEGIN PRIVATE KEY-----\n/);
    expect(rest).toEqual({ ...CREATE_DEFAULTS, identity_provider: IDENTITY_PROVIDER });
  });

  it('draws secrets that differ and use the whole alphabet', () => {
    const secrets = Array.from({ length: 50 }, generateClientSecret);
    expect(new Set(secrets).size).toBe(50);
    expect(new Set(secrets.join('')).size).toBe(62);
  });
});
