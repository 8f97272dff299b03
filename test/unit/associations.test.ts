import { describe, expect, it } from 'vitest';
import { itemSize } from '../../lambda/domain/item-size.js';
import {
  overlapsChangesBetween,
  type UpdateLookups,
  updateReferences,
  withCreatedScopeLinks,
} from '../../lambda/domain/update-plan.js';
import { parseUpdateRequest } from '../../lambda/domain/update-request.js';
import {
  HISTORY_BYTES,
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

  it('asks for the scopes to create when a name is unknown, once per name, and links them once created', () => {
    const result = plan(
      { authorized_scopes: [{ name: 'new:scope' }, { name: 'openid' }, { name: 'new:scope' }] },
      storedClient(),
      LOOKUPS,
    );
    if (result.status !== 'ready') throw new Error(result.status);
    const created = { id: '11111111-2222-4333-8444-555555555555', name: 'new:scope', public: false };

    expect(result.newScopeNames).toEqual(['new:scope']);
    expect(withCreatedScopeLinks(result.patch, [created])).toEqual({ authorized_scopes: [created, SCOPE_OPENID] });
  });

  it('links a created name once when it turns out to be a scope the request also names by id', () => {
    const result = plan({ authorized_scopes: [{ id: SCOPE_PROFILE.id }, { name: 'late' }] }, storedClient(), LOOKUPS);
    if (result.status !== 'ready') throw new Error(result.status);

    expect(withCreatedScopeLinks(result.patch, [{ ...SCOPE_PROFILE, name: 'late' }])).toEqual({
      authorized_scopes: [SCOPE_PROFILE],
    });
  });

  it('checks the size with room for the ids of the links to scopes still to create', () => {
    const names = Array.from({ length: 10 }, (_, index) => `n${String(index).padStart(254, '0')}`);
    const request = { authorized_scopes: names.map((name) => ({ name })) };
    // The item's bytes with these links and an empty jwt_public_key, the 1 KB kept for keys and
    // the room kept for a full history included.
    const bytesWith = (id: string) =>
      1024 +
      HISTORY_BYTES +
      itemSize(
        storedClient({ jwt_public_key: '', authorized_scopes: names.map((name) => ({ id, name, public: false })) }),
      );
    const clientFilledTo = (bytes: number) => storedClient({ jwt_public_key: 'k'.repeat(400 * 1024 - bytes) });

    expect(plan(request, clientFilledTo(bytesWith(SCOPE_OPENID.id)), LOOKUPS)).toMatchObject({ status: 'ready' });
    expect(errorsOf(request, clientFilledTo(bytesWith('')), LOOKUPS)).toEqual({
      authorized_scopes: ['would make the client larger than the 400 KB a stored item may hold'],
    });
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
  ])('rejects %s with 400', (_, body, errors) => {
    expect(parseUpdateRequest(body)).toEqual({ ok: false, status: 400, errors });
  });

  const scopeItems = (count: number, item: (index: number) => Record<string, unknown>) =>
    Array.from({ length: count }, (_, index) => item(index));

  it.each([
    ['distinct names', (index: number) => ({ name: `scope:${index}` })],
    ['the same name again and again', () => ({ name: 'openid' })],
    ['items that are dropped anyway', () => ({ name: 'has space' })],
  ])('accepts 100 authorized_scopes items: %s', (_, item) => {
    expect(parseUpdateRequest({ client: { authorized_scopes: scopeItems(100, item) } })).toMatchObject({ ok: true });
  });

  it.each([
    ['distinct names', (index: number) => ({ name: `scope:${index}` })],
    ['the same name again and again (counted as sent, before duplicates merge)', () => ({ name: 'openid' })],
    ['items that are dropped anyway', () => ({ name: 'has space' })],
  ])('refuses 101 authorized_scopes items with 422 while parsing: %s', (_, item) => {
    expect(parseUpdateRequest({ client: { authorized_scopes: scopeItems(101, item) } })).toEqual({
      ok: false,
      status: 422,
      errors: { authorized_scopes: ['should have at most 100 item(s)'] },
    });
  });

  it('reports the other failing fields with an over-cap authorized_scopes', () => {
    const body = { client: { pkce: 'x', name: 'fine', authorized_scopes: scopeItems(6000, () => ({ name: 'a' })) } };

    expect(parseUpdateRequest(body)).toEqual({
      ok: false,
      status: 422,
      errors: { pkce: ['is invalid'], authorized_scopes: ['should have at most 100 item(s)'] },
    });
  });

  it('answers 400 rather than 422 for an over-cap list of items that are not objects', () => {
    expect(parseUpdateRequest({ client: { authorized_scopes: scopeItems(101, () => ({})).map(() => 'a') } })).toEqual({
      ok: false,
      status: 400,
      errors: { authorized_scopes: ['items must be objects'] },
    });
  });

  it('keeps each scope id and name once, where it first appears', () => {
    const parsed = parseUpdateRequest({
      client: {
        authorized_scopes: [
          { name: 'b' },
          { id: SCOPE_OPENID.id },
          { name: 'a' },
          { name: 'b' },
          { id: SCOPE_OPENID.id.toUpperCase() },
        ],
      },
    });

    expect(parsed).toMatchObject({
      ok: true,
      request: { scopes: [{ name: 'b' }, { id: SCOPE_OPENID.id }, { name: 'a' }] },
    });
  });
});
