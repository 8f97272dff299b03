/**
 * The client record: what the store keeps for one OAuth client, and the vocabularies its
 * fields draw from (CONTRACT §3 and §4).
 */

export const GRANT_TYPES = [
  'client_credentials',
  'password',
  'authorization_code',
  'agent_code',
  'refresh_token',
  'implicit',
  'revoke',
  'introspect',
  'id_token',
  'vp_token',
  'preauthorized_code',
  'agent_credentials',
] as const;

export const TOKEN_ENDPOINT_AUTH_METHODS = [
  'client_secret_basic',
  'client_secret_post',
  'client_secret_jwt',
  'private_key_jwt',
] as const;

export const TOKEN_ENDPOINT_JWT_AUTH_ALGS = ['RS256', 'RS384', 'RS512', 'HS256', 'HS384', 'HS512'] as const;

export const SIGNATURE_ALGS = [
  'ES256',
  'ES384',
  'ES512',
  'RS256',
  'RS384',
  'RS512',
  'HS256',
  'HS384',
  'HS512',
  'EdDSA',
] as const;

export const RESPONSE_MODES = ['post', 'direct_post'] as const;

export const KEY_PAIR_TYPES = ['ec', 'rsa', 'universal'] as const;
export type KeyPairTypeName = (typeof KEY_PAIR_TYPES)[number];

export const EC_CURVES = ['P-256', 'P-384', 'P-521'] as const;

export const INTERNAL_SIGNATURES_ADAPTER = 'Elixir.Boruta.Internal.Signatures';
export const UNIVERSAL_SIGNATURES_ADAPTER = 'Elixir.Boruta.Universal.Signatures';

/** Upper bound of each token lifetime, in seconds; the lower bound is 1 for all of them. */
export const TTL_MAXIMUMS = {
  access_token_ttl: 86400,
  authorization_code_ttl: 600,
  authorization_request_ttl: 300,
  refresh_token_ttl: 2592000,
  id_token_ttl: 86400,
} as const;

export interface IdentityProviderLink {
  id: string;
  name: string | null;
}

export interface ScopeLink {
  id: string;
  name: string;
  public: boolean;
}

/** Stored as given: `type` and the size/curve strings, plus any extra keys the caller sent. */
export type KeyPairType = Record<string, unknown>;

export interface Client {
  id: string;
  public_client_id: string | null;
  check_public_client_id: boolean;
  trusted_authorities: string;
  trusted_hosts: string[];
  name: string | null;
  secret: string | null;
  confidential: boolean;
  redirect_uris: string[];
  public_refresh_token: boolean;
  public_revoke: boolean;
  authorize_scope: boolean;
  enforce_dpop: boolean;
  enforce_tx_code: boolean;
  access_token_ttl: number;
  authorization_code_ttl: number;
  authorization_request_ttl: number;
  refresh_token_ttl: number;
  id_token_ttl: number;
  pkce: boolean;
  public_key: string | null;
  private_key: string | null;
  key_pair_type: KeyPairType;
  signatures_adapter: string;
  did: string | null;
  identity_provider: IdentityProviderLink | null;
  authorized_scopes: ScopeLink[];
  supported_grant_types: string[] | null;
  id_token_signature_alg: string | null;
  userinfo_signed_response_alg: string | null;
  token_endpoint_jwt_auth_alg: string;
  token_endpoint_auth_methods: string[];
  jwt_public_key: string | null;
  response_mode: string | null;
}

/** A client as read from the store, with the version its next conditional write must match. */
export interface VersionedClient {
  client: Client;
  version: number;
}

export function keyPairTypeName(keyPairType: unknown): KeyPairTypeName | undefined {
  if (keyPairType === null || typeof keyPairType !== 'object') return undefined;
  const type = (keyPairType as KeyPairType).type;
  return (KEY_PAIR_TYPES as readonly unknown[]).includes(type) ? (type as KeyPairTypeName) : undefined;
}
