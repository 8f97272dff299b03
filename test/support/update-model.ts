/**
 * A reference model of CONTRACT §4 for updates the API accepted, written apart from the
 * domain code (no import from lambda/domain) so that the property tests compare two readings
 * of the contract rather than the code with itself.
 */
import { isDeepStrictEqual } from 'node:util';
import type { Client, IdentityProviderLink, ScopeLink } from '../../lambda/domain/client.js';

const INTEGER_FIELDS = [
  'access_token_ttl',
  'authorization_code_ttl',
  'authorization_request_ttl',
  'refresh_token_ttl',
  'id_token_ttl',
];
const BOOLEAN_FIELDS = [
  'check_public_client_id',
  'confidential',
  'public_refresh_token',
  'public_revoke',
  'authorize_scope',
  'enforce_dpop',
  'enforce_tx_code',
  'pkce',
];
const LIST_FIELDS = ['redirect_uris', 'trusted_hosts', 'supported_grant_types', 'token_endpoint_auth_methods'];
const BLANK_DEFAULTS: Record<string, string | null> = {
  response_mode: 'direct_post',
  id_token_signature_alg: 'RS512',
  token_endpoint_jwt_auth_alg: 'HS256',
  signatures_adapter: 'Elixir.Boruta.Internal.Signatures',
  trusted_authorities: '',
  name: null,
  secret: null,
  public_client_id: null,
  jwt_public_key: null,
  userinfo_signed_response_alg: null,
};
export const MODEL_FIELDS = [
  ...INTEGER_FIELDS,
  ...BOOLEAN_FIELDS,
  ...LIST_FIELDS,
  ...Object.keys(BLANK_DEFAULTS),
  'key_pair_type',
];

const isBlank = (value: unknown) => typeof value === 'string' && value.trim() === '';
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

function normalise(field: string, value: unknown): unknown {
  if (isBlank(value)) return field in BLANK_DEFAULTS ? BLANK_DEFAULTS[field] : null;
  if (INTEGER_FIELDS.includes(field)) return typeof value === 'string' ? Number(value) : value;
  if (BOOLEAN_FIELDS.includes(field)) return typeof value === 'string' ? value === 'true' || value === '1' : value;
  if (LIST_FIELDS.includes(field)) return Array.isArray(value) ? value.filter((item) => !isBlank(item)) : value;
  if (field === 'key_pair_type') {
    return Object.fromEntries(Object.entries(value as object).filter(([key]) => key !== '__proto__'));
  }
  return value;
}

export interface ModelWorld {
  identityProviders: Map<string, IdentityProviderLink>;
  scopesById: Map<string, ScopeLink>;
  /** Scopes by name as stored after the update (names it created included). */
  scopesByName: Map<string, ScopeLink>;
}

/** The client an accepted update leaves, and whether it wrote (a write bumps the version). */
export function expectedAfterAcceptedUpdate(
  before: Client,
  fields: Record<string, unknown>,
  world: ModelWorld,
): { client: Client; wrote: boolean } {
  const after: Record<string, unknown> = { ...before };
  let wrote = false;
  for (const field of MODEL_FIELDS) {
    if (!Object.hasOwn(fields, field)) continue;
    after[field] = normalise(field, fields[field]);
    wrote = true;
  }
  const provider = fields.identity_provider as { id?: unknown } | null | undefined;
  if (provider && typeof provider === 'object' && Object.hasOwn(provider, 'id')) {
    after.identity_provider = world.identityProviders.get(String(provider.id).toLowerCase());
    // Copies are written only when they change.
    wrote ||= !isDeepStrictEqual(after.identity_provider, before.identity_provider);
  }
  if (Object.hasOwn(fields, 'authorized_scopes')) {
    const scopes: ScopeLink[] = [];
    for (const item of (fields.authorized_scopes as Record<string, unknown>[] | null) ?? []) {
      const hasId = item.id !== undefined && item.id !== null && !isBlank(item.id);
      const scope = hasId
        ? typeof item.id === 'string' && UUID.test(item.id)
          ? world.scopesById.get(item.id.toLowerCase())
          : undefined
        : typeof item.name === 'string' && item.name.length > 0 && item.name.length <= 255 && !/\s/u.test(item.name)
          ? world.scopesByName.get(item.name)
          : undefined;
      if (scope && !scopes.some((kept) => kept.id === scope.id)) scopes.push(scope);
    }
    after.authorized_scopes = scopes;
    wrote ||= !isDeepStrictEqual(scopes, before.authorized_scopes);
  }
  return { client: after as unknown as Client, wrote };
}
