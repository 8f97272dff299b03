import type { Client } from './client.js';

/** The 33 keys of the client object, in the order of CONTRACT §3. */
export const CLIENT_VIEW_KEYS = [
  'id',
  'public_client_id',
  'check_public_client_id',
  'trusted_authorities',
  'trusted_hosts',
  'name',
  'secret',
  'confidential',
  'redirect_uris',
  'public_refresh_token',
  'public_revoke',
  'authorize_scope',
  'enforce_dpop',
  'enforce_tx_code',
  'access_token_ttl',
  'authorization_code_ttl',
  'authorization_request_ttl',
  'refresh_token_ttl',
  'id_token_ttl',
  'pkce',
  'public_key',
  'key_pair_type',
  'signatures_adapter',
  'did',
  'identity_provider',
  'authorized_scopes',
  'supported_grant_types',
  'id_token_signature_alg',
  'userinfo_signed_response_alg',
  'token_endpoint_jwt_auth_alg',
  'token_endpoint_auth_methods',
  'jwt_public_key',
  'response_mode',
] as const satisfies readonly Exclude<keyof Client, 'private_key'>[];

export type ClientView = { [key in (typeof CLIENT_VIEW_KEYS)[number]]: unknown };

/**
 * The JSON view of a client: exactly the 33 keys, null where unset, never the private key.
 * Items written by older versions or imports may lack attributes, hence the fallbacks.
 */
export function toClientView(client: Client): ClientView {
  const view = Object.fromEntries(CLIENT_VIEW_KEYS.map((key) => [key, client[key] ?? null])) as ClientView;
  view.trusted_authorities = client.trusted_authorities ?? '';
  view.trusted_hosts = client.trusted_hosts ?? [];
  view.identity_provider = client.identity_provider
    ? { id: client.identity_provider.id, name: client.identity_provider.name ?? null }
    : { id: null, name: null };
  view.authorized_scopes = (client.authorized_scopes ?? []).map(({ id, name, public: isPublic }) => ({
    id,
    name,
    public: isPublic,
  }));
  return view;
}
