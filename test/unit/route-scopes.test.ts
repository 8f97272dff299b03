import { describe, expect, it } from 'vitest';
import { scopeSettings } from '../../lambda/config.js';
import { apiScopes, defaultScopePrefix, resourceScopes, routeScopes } from '../../lambda/http/route-scopes.js';
import { API_FUNCTIONS, EVERY_ROUTE_SCOPE_NAMES, type FunctionSpec } from '../../lib/api-routes.js';

const cognitoSettings = { requiredScope: 'clients-api/clients:manage:all', scopePrefix: 'clients-api/' };

describe("each route's scopes", () => {
  const plain = { requiredScope: 'clients:manage:all', scopePrefix: '' };
  const cognito = cognitoSettings;

  it.each([
    ['update-client', plain, ['clients:manage:all'], 'clients:manage:all'],
    [
      'list-scopes',
      plain,
      ['clients:manage:all', 'scopes:manage:all', 'users:manage:all', 'identity-providers:manage:all'],
      'clients:manage:all',
    ],
    ['create-scope', plain, ['scopes:manage:all'], 'scopes:manage:all'],
    ['get-identity-provider', plain, ['clients:manage:all', 'identity-providers:manage:all'], 'clients:manage:all'],
    ['delete-identity-provider', plain, ['identity-providers:manage:all'], 'identity-providers:manage:all'],
    ['list-key-pairs', plain, ['clients:manage:all'], 'clients:manage:all'],
    ['update-scope', cognito, ['clients-api/scopes:manage:all'], 'clients-api/scopes:manage:all'],
    [
      'list-identity-providers',
      cognito,
      ['clients-api/clients:manage:all', 'clients-api/identity-providers:manage:all'],
      'clients-api/clients:manage:all',
    ],
  ] as const)('%s accepts its scopes as deployed (%o)', (handler, settings, accepted, challenge) => {
    expect(routeScopes(handler, settings)).toEqual({ accepted, challenge });
  });

  it.each(Object.entries(API_FUNCTIONS) as [string, FunctionSpec][])(
    'gives every route of %s the scopes its function checks',
    (_, spec) => {
      const [first, ...others] = spec.routes;
      expect(first?.scopes.length).toBeGreaterThan(0);
      for (const route of others) expect(route.scopes).toEqual(first?.scopes);
    },
  );

  it('spells every scope of the route table as the deployment does, for the authorizer', () => {
    expect(apiScopes(cognito)).toEqual([
      'clients-api/clients:manage:all',
      'clients-api/scopes:manage:all',
      'clients-api/users:manage:all',
      'clients-api/identity-providers:manage:all',
    ]);
    expect(apiScopes({ requiredScope: 'admin', scopePrefix: '' })).toEqual([
      'admin',
      'scopes:manage:all',
      'users:manage:all',
      'identity-providers:manage:all',
    ]);
  });

  it('finds a set of scopes that serves every route, for the dev tokens', () => {
    expect(EVERY_ROUTE_SCOPE_NAMES).toEqual([
      'clients:manage:all',
      'scopes:manage:all',
      'identity-providers:manage:all',
    ]);
    for (const spec of Object.values(API_FUNCTIONS) as FunctionSpec[]) {
      for (const route of spec.routes) {
        expect(route.scopes.some((scope) => EVERY_ROUTE_SCOPE_NAMES.includes(scope))).toBe(true);
      }
    }
  });

  it("takes the other scopes' prefix from REQUIRED_SCOPE", () => {
    expect(defaultScopePrefix('clients:manage:all')).toBe('');
    expect(defaultScopePrefix('clients-api/clients:manage:all')).toBe('clients-api/');
    expect(defaultScopePrefix('admin')).toBe('');
  });

  it('reads REQUIRED_SCOPE and SCOPE_PREFIX from the environment, SCOPE_PREFIX winning', () => {
    expect(scopeSettings({})).toEqual({ requiredScope: 'clients:manage:all', scopePrefix: '' });
    expect(scopeSettings({ REQUIRED_SCOPE: 'clients-api/clients:manage:all' })).toEqual(cognitoSettings);
    expect(scopeSettings({ REQUIRED_SCOPE: 'admin', SCOPE_PREFIX: 'https://api.example.com/' })).toEqual({
      requiredScope: 'admin',
      scopePrefix: 'https://api.example.com/',
    });
  });
});

describe("a resource's scopes, which its 405 MOCK method checks", () => {
  it('accepts the scopes of every method once each, and challenges with its first method’s', () => {
    const settings = { requiredScope: 'clients:manage:all', scopePrefix: '' };

    const scopes = resourceScopes([
      routeScopes('list-identity-providers', settings),
      routeScopes('create-identity-provider', settings),
    ]);

    expect(scopes).toEqual({
      accepted: ['clients:manage:all', 'identity-providers:manage:all'],
      challenge: 'clients:manage:all',
    });
  });
});
