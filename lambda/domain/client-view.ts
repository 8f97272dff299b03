import * as v from 'valibot';
import type { Client } from './client.js';

const nullableString = v.nullable(v.string());
const nullableStringList = v.nullable(v.array(v.string()));

/**
 * The client object of every 200 (CONTRACT §3): exactly these 33 keys, in this order, null where
 * unset. It also describes the response in the OpenAPI document.
 */
export const ClientViewSchema = v.strictObject({
  id: v.string(),
  public_client_id: nullableString,
  check_public_client_id: v.boolean(),
  trusted_authorities: v.string(),
  trusted_hosts: v.array(v.string()),
  name: nullableString,
  secret: nullableString,
  confidential: v.boolean(),
  redirect_uris: v.array(v.string()),
  public_refresh_token: v.boolean(),
  public_revoke: v.boolean(),
  authorize_scope: v.boolean(),
  enforce_dpop: v.boolean(),
  enforce_tx_code: v.boolean(),
  access_token_ttl: v.number(),
  authorization_code_ttl: v.number(),
  authorization_request_ttl: v.number(),
  refresh_token_ttl: v.number(),
  id_token_ttl: v.number(),
  pkce: v.boolean(),
  public_key: nullableString,
  key_pair_type: v.record(v.string(), v.unknown()),
  signatures_adapter: v.string(),
  did: nullableString,
  identity_provider: v.strictObject({ id: nullableString, name: nullableString }),
  authorized_scopes: v.array(v.strictObject({ id: v.string(), name: v.string(), public: v.boolean() })),
  supported_grant_types: nullableStringList,
  id_token_signature_alg: nullableString,
  userinfo_signed_response_alg: nullableString,
  token_endpoint_jwt_auth_alg: v.string(),
  token_endpoint_auth_methods: v.array(v.string()),
  jwt_public_key: nullableString,
  response_mode: nullableString,
});

export const CLIENT_VIEW_KEYS = Object.keys(ClientViewSchema.entries) as (keyof typeof ClientViewSchema.entries &
  Exclude<keyof Client, 'private_key'>)[];

export type ClientView = { [key in ClientViewKey]: unknown };

export type ClientViewKey = (typeof CLIENT_VIEW_KEYS)[number];

/**
 * The JSON view of a client: exactly the 33 keys, null where unset, never the private key.
 * Items written by older versions or imports may lack attributes, hence the fallbacks.
 */
export function toClientView(client: Client): ClientView {
  // A loop, not fromEntries over a map: this runs for every client of every answer.
  const view = {} as ClientView;
  for (const key of CLIENT_VIEW_KEYS) view[key] = clientViewValue(client, key);
  return view;
}

/** What the view shows under one key: each depends on its own attribute alone. */
export function clientViewValue(client: Client, key: ClientViewKey): unknown {
  switch (key) {
    case 'trusted_authorities':
      return client.trusted_authorities ?? '';
    case 'trusted_hosts':
      return client.trusted_hosts ?? [];
    case 'identity_provider':
      return client.identity_provider
        ? { id: client.identity_provider.id, name: client.identity_provider.name ?? null }
        : { id: null, name: null };
    case 'authorized_scopes':
      return (client.authorized_scopes ?? []).map(({ id, name, public: isPublic }) => ({ id, name, public: isPublic }));
    default:
      return client[key] ?? null;
  }
}
