import { describe, expect, it } from 'vitest';
import {
  copyTargets,
  keepingStoredIdentityProvider,
  refreshedCopies,
  withoutUnchangedCopies,
} from '../../lambda/domain/client-copies.js';
import { parseUpdateRequest } from '../../lambda/domain/update-request.js';
import { IDENTITY_PROVIDER, SCOPE_OPENID, SCOPE_PROFILE, storedClient } from '../support/clients.js';

const client = storedClient({ authorized_scopes: [SCOPE_OPENID, SCOPE_PROFILE] });

describe('the copies a write must check', () => {
  it('leaves out scopes and provider equal to the stored ones', () => {
    expect(
      withoutUnchangedCopies(
        { name: 'x', authorized_scopes: [SCOPE_OPENID, SCOPE_PROFILE], identity_provider: IDENTITY_PROVIDER },
        client,
      ),
    ).toEqual({ name: 'x' });
  });

  it('keeps them when the order, a name or public differs', () => {
    const reordered = { authorized_scopes: [SCOPE_PROFILE, SCOPE_OPENID] };
    const renamed = { identity_provider: { ...IDENTITY_PROVIDER, name: 'Renamed' } };
    expect(withoutUnchangedCopies(reordered, client)).toEqual(reordered);
    expect(withoutUnchangedCopies(renamed, client)).toEqual(renamed);
  });

  it('names the scopes and the provider copied', () => {
    expect(copyTargets(client)).toEqual({
      scope: [SCOPE_OPENID.id, SCOPE_PROFILE.id],
      'identity-provider': [IDENTITY_PROVIDER.id],
    });
    expect(copyTargets({ identity_provider: null })).toEqual({ scope: [], 'identity-provider': [] });
  });

  it('keeps the stored provider when a request names it again', () => {
    const parsed = parseUpdateRequest({ client: { identity_provider: { id: IDENTITY_PROVIDER.id.toUpperCase() } } });
    if (!parsed.ok) throw new Error('rejected');
    expect(keepingStoredIdentityProvider(parsed.request, client).identityProvider).toEqual({ kind: 'keep' });
  });
});

describe('copies brought up to date', () => {
  it('replaces a renamed scope where it stands and drops one that is gone', () => {
    const sources = {
      scopes: new Map([
        [SCOPE_OPENID.id, { ...SCOPE_OPENID, name: 'openid:v2', public: false }],
        [SCOPE_PROFILE.id, undefined],
      ]),
      identityProviders: new Map(),
    };
    expect(refreshedCopies(client, sources)).toEqual({
      authorized_scopes: [{ id: SCOPE_OPENID.id, name: 'openid:v2', public: false }],
    });
  });

  it('follows the provider name, and never drops the provider', () => {
    expect(
      refreshedCopies(client, {
        scopes: new Map(),
        identityProviders: new Map([[IDENTITY_PROVIDER.id, { id: IDENTITY_PROVIDER.id, name: 'Staff' }]]),
      }),
    ).toEqual({ identity_provider: { id: IDENTITY_PROVIDER.id, name: 'Staff' } });
    expect(
      refreshedCopies(client, { scopes: new Map(), identityProviders: new Map([[IDENTITY_PROVIDER.id, undefined]]) }),
    ).toEqual({});
  });

  it('changes nothing for ids the sources do not know, or copies already current', () => {
    expect(
      refreshedCopies(client, { scopes: new Map([[SCOPE_OPENID.id, SCOPE_OPENID]]), identityProviders: new Map() }),
    ).toEqual({});
  });
});
