import { describe, expect, it } from 'vitest';
import type { UpdateLookups } from '../../lambda/domain/update-plan.js';
import { overlapsChangesBetween, updateReferences } from '../../lambda/domain/update-plan.js';
import { parseUpdateRequest } from '../../lambda/domain/update-request.js';
import {
  IDENTITY_PROVIDER,
  OTHER_IDENTITY_PROVIDER,
  SCOPE_OPENID,
  SCOPE_PROFILE,
  storedClient,
} from '../support/clients.js';
import { errorsOf, patchOf, plan } from '../support/plan.js';

const LOOKUPS: UpdateLookups = {
  identityProviders: new Map([[OTHER_IDENTITY_PROVIDER.id, OTHER_IDENTITY_PROVIDER]]),
  scopesById: new Map([
    [SCOPE_OPENID.id, SCOPE_OPENID],
    [SCOPE_PROFILE.id, SCOPE_PROFILE],
  ]),
  scopesByName: new Map([
    [SCOPE_OPENID.name, SCOPE_OPENID],
    [SCOPE_PROFILE.name, SCOPE_PROFILE],
  ]),
};

describe('identity_provider', () => {
  it.each([
    ['absent', {}],
    ['null', { identity_provider: null }],
    ['an object without id', { identity_provider: { name: 'ignored' } }],
  ])('keeps the link when %s', (_, fields) => {
    expect(patchOf({ ...fields, name: 'x' }, storedClient(), LOOKUPS)).toEqual({ name: 'x' });
  });

  it('replaces the link with the identity provider of the given id, upper case accepted', () => {
    expect(
      patchOf({ identity_provider: { id: OTHER_IDENTITY_PROVIDER.id.toUpperCase() } }, storedClient(), LOOKUPS),
    ).toEqual({
      identity_provider: OTHER_IDENTITY_PROVIDER,
    });
  });

  it.each([
    [{ id: null }, "can't be blank"],
    [{ id: '' }, "can't be blank"],
    [{ id: ' ' }, "can't be blank"],
    [{ id: 'not-a-uuid' }, 'has invalid format'],
    [{ id: 42 }, 'has invalid format'],
    ['a string', 'is invalid'],
    [[IDENTITY_PROVIDER], 'is invalid'],
    [{ id: '00000000-0000-4000-8000-000000000000' }, 'does not exist'],
  ])('answers identity_provider_id errors for %j', (identityProvider, message) => {
    expect(errorsOf({ identity_provider: identityProvider }, storedClient(), LOOKUPS)).toEqual({
      identity_provider_id: [message],
    });
  });

  it('shows only the client-field errors when both fail', () => {
    expect(errorsOf({ name: 1, identity_provider: { id: 'bad' } }, storedClient(), LOOKUPS)).toEqual({
      name: ['is invalid'],
    });
  });
});

describe('authorized_scopes', () => {
  it('keeps the stored scopes when absent (upstream clears them)', () => {
    expect(patchOf({ name: 'x' }, storedClient(), LOOKUPS)).toEqual({ name: 'x' });
  });

  it.each([[[]], [null]])('clears the scopes with %j', (scopes) => {
    expect(patchOf({ authorized_scopes: scopes }, storedClient(), LOOKUPS)).toEqual({ authorized_scopes: [] });
  });

  it('attaches by id and by name in request order, with the scopes own values', () => {
    expect(
      patchOf(
        {
          authorized_scopes: [
            { name: 'profile', public: true },
            { id: SCOPE_OPENID.id, name: 'ignored', public: false },
          ],
        },
        storedClient(),
        LOOKUPS,
      ),
    ).toEqual({ authorized_scopes: [SCOPE_PROFILE, SCOPE_OPENID] });
  });

  it('drops unknown ids, invalid ids, names with whitespace and empty items', () => {
    const scopes = [
      { id: '00000000-0000-4000-8000-000000000000' },
      { id: 'nope', name: 'profile' },
      { name: 'has space' },
      { name: '' },
      {},
      { id: SCOPE_OPENID.id },
    ];
    expect(patchOf({ authorized_scopes: scopes }, storedClient(), LOOKUPS)).toEqual({
      authorized_scopes: [SCOPE_OPENID],
    });
  });

  it('keeps duplicates once, whether named by id or by name', () => {
    const scopes = [{ id: SCOPE_OPENID.id }, { name: 'openid' }, { id: SCOPE_OPENID.id.toUpperCase() }];
    expect(patchOf({ authorized_scopes: scopes }, storedClient(), LOOKUPS)).toEqual({
      authorized_scopes: [SCOPE_OPENID],
    });
  });

  it('caps the list at 100 items', () => {
    const scopes = Array.from({ length: 101 }, (_, index) => ({ name: `scope:${index}` }));

    expect(errorsOf({ authorized_scopes: scopes }, storedClient(), LOOKUPS)).toEqual({
      authorized_scopes: ['should have at most 100 item(s)'],
    });
  });

  it('asks for the scopes to create when a name is unknown, once per name', () => {
    expect(
      plan(
        { authorized_scopes: [{ name: 'new:scope' }, { name: 'openid' }, { name: 'new:scope' }] },
        storedClient(),
        LOOKUPS,
      ),
    ).toEqual({ status: 'needs-scopes', names: ['new:scope'] });
  });

  it('creates nothing when a field is invalid', () => {
    expect(plan({ pkce: 'x', authorized_scopes: [{ name: 'new:scope' }] }, storedClient(), LOOKUPS)).toEqual({
      status: 'invalid',
      errors: { pkce: ['is invalid'] },
    });
  });
});

describe('updateReferences', () => {
  it('lists the identity provider, scope ids and scope names to read, each once', () => {
    const parsed = parseUpdateRequest({
      client: {
        identity_provider: { id: OTHER_IDENTITY_PROVIDER.id },
        authorized_scopes: [{ id: SCOPE_OPENID.id }, { id: SCOPE_OPENID.id }, { name: 'a' }, { name: 'a' }],
      },
    });
    if (!parsed.ok) throw new Error('rejected');
    expect(updateReferences(parsed.request)).toEqual({
      identityProviderIds: [OTHER_IDENTITY_PROVIDER.id],
      scopeIds: [SCOPE_OPENID.id],
      scopeNames: ['a'],
    });
  });
});

describe('overlapsChangesBetween', () => {
  const before = storedClient({ authorized_scopes: [SCOPE_OPENID, SCOPE_PROFILE] });

  it('tells a race between writers of different fields from one over the same field', () => {
    const after = storedClient({ authorized_scopes: [SCOPE_OPENID, SCOPE_PROFILE], pkce: true });

    expect(overlapsChangesBetween({ name: 'mine' }, before, after)).toBe(false);
    expect(overlapsChangesBetween({ name: 'mine', pkce: false }, before, after)).toBe(true);
  });

  it('compares lists and links by value, whatever order their keys come back in', () => {
    const reordered = storedClient({
      authorized_scopes: [{ ...SCOPE_OPENID }, { public: false, name: 'profile', id: SCOPE_PROFILE.id }],
      identity_provider: { name: IDENTITY_PROVIDER.name, id: IDENTITY_PROVIDER.id },
    });
    const patch = { authorized_scopes: [SCOPE_OPENID], identity_provider: OTHER_IDENTITY_PROVIDER };

    expect(overlapsChangesBetween(patch, before, reordered)).toBe(false);
    expect(overlapsChangesBetween(patch, before, storedClient({ authorized_scopes: [SCOPE_PROFILE] }))).toBe(true);
  });
});

describe('parseUpdateRequest', () => {
  it.each([
    ['a body that is not an object', [], { resource: ['must be a JSON object'] }],
    ['a body that is null', null, { resource: ['must be a JSON object'] }],
    ['no client key', { name: 'x' }, { client: ['is required'] }],
    ['a client that is not an object', { client: 'x' }, { client: ['must be an object'] }],
    ['a client that is an array', { client: [] }, { client: ['must be an object'] }],
    [
      'authorized_scopes that is not an array',
      { client: { authorized_scopes: 'openid' } },
      { authorized_scopes: ['must be an array'] },
    ],
    [
      'an authorized_scopes item that is not an object',
      { client: { authorized_scopes: [{ name: 'a' }, 'openid', 3] } },
      { authorized_scopes: ['items must be objects'] },
    ],
  ])('rejects %s', (_, body, errors) => {
    expect(parseUpdateRequest(body)).toEqual({ ok: false, errors });
  });
});
