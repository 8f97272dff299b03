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
  for (const field of MODEL_FIELDS) {
    if (Object.hasOwn(fields, field)) after[field] = normalise(field, fields[field]);
  }
  const provider = fields.identity_provider as { id?: unknown } | null | undefined;
  if (provider && typeof provider === 'object' && Object.hasOwn(provider, 'id')) {
    after.identity_provider = world.identityProviders.get(String(provider.id).toLowerCase());
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
  }
  // An update that changes nothing writes nothing.
  return { client: after as unknown as Client, wrote: !isDeepStrictEqual(after, before) };
}

/** Every attribute of a new client but those drawn at random (id, secret, keys). */
export const CREATE_DEFAULTS = {
  public_client_id: null,
  check_public_client_id: false,
  trusted_authorities: '',
  trusted_hosts: [],
  name: null,
  confidential: false,
  redirect_uris: [],
  public_refresh_token: false,
  public_revoke: false,
  authorize_scope: false,
  enforce_dpop: false,
  enforce_tx_code: false,
  access_token_ttl: 86400,
  authorization_code_ttl: 600,
  authorization_request_ttl: 300,
  refresh_token_ttl: 2592000,
  id_token_ttl: 86400,
  pkce: false,
  key_pair_type: { type: 'rsa', modulus_size: '2048', exponent_size: '65537' },
  signatures_adapter: 'Elixir.Boruta.Internal.Signatures',
  did: null,
  identity_provider: null,
  authorized_scopes: [],
  supported_grant_types: ['client_credentials', 'authorization_code'],
  id_token_signature_alg: 'RS512',
  userinfo_signed_response_alg: null,
  token_endpoint_jwt_auth_alg: 'HS256',
  token_endpoint_auth_methods: ['client_secret_basic', 'client_secret_post'],
  jwt_public_key: null,
  response_mode: 'direct_post',
};

/**
 * The client an accepted create stores (CONTRACT §5): the defaults, the fields sent, and what
 * was drawn at random (id, secret, keys, the did of a universal key), taken from `drawn`.
 */
export function expectedAfterAcceptedCreate(
  fields: Record<string, unknown>,
  world: ModelWorld,
  drawn: Pick<Client, 'id' | 'secret' | 'public_key' | 'private_key' | 'did'>,
): Client {
  const base = { ...CREATE_DEFAULTS, ...drawn, did: null } as unknown as Client;
  const { client } = expectedAfterAcceptedUpdate(base, fields, world);
  if ((client.key_pair_type as { type?: unknown }).type !== 'universal') return client;
  // A universal (Ed25519) key brings its did, the universal adapter and EdDSA.
  return {
    ...client,
    did: drawn.did,
    signatures_adapter: 'Elixir.Boruta.Universal.Signatures',
    id_token_signature_alg: 'EdDSA',
    userinfo_signed_response_alg: 'EdDSA',
  };
}

const KEY_PAIR_TYPE_NAME = /^[A-Za-z][A-Za-z0-9_-]{0,63}$/;
const SCRIPT_OR_LOCAL_SCHEME = /^(javascript|data|vbscript|file):/i;

/**
 * Bodies the contract never accepts, whatever the stored client: a list that drives reads over
 * its cap, a key_pair_type beyond its closed shape or key bounds, a script or local redirect URI.
 */
export function mustBeRefused(fields: Record<string, unknown>): boolean {
  const scopes = fields.authorized_scopes;
  if (Array.isArray(scopes) && scopes.length > 100) return true;
  const uris = fields.redirect_uris;
  if (Array.isArray(uris) && uris.some((uri) => typeof uri === 'string' && SCRIPT_OR_LOCAL_SCHEME.test(uri))) {
    return true;
  }
  const keyPairType = fields.key_pair_type;
  if (keyPairType === null || typeof keyPairType !== 'object' || Array.isArray(keyPairType)) return false;
  const entries = Object.entries(keyPairType);
  const { type, modulus_size, exponent_size } = keyPairType as Record<string, unknown>;
  return (
    entries.length > 12 ||
    entries.some(
      ([name, value]) => !KEY_PAIR_TYPE_NAME.test(name) || typeof value !== 'string' || value.length > 255,
    ) ||
    (exponent_size !== undefined && exponent_size !== '65537') ||
    (type === 'rsa' && Number(modulus_size) > 4096)
  );
}
