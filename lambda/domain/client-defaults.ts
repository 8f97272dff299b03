import { randomInt } from 'node:crypto';
import { type Client, type IdentityProviderLink, INTERNAL_SIGNATURES_ADAPTER, TTL_MAXIMUMS } from './client.js';
import type { PemKeyPair } from './key-pairs.js';

const SECRET_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
const SECRET_LENGTH = 86;

/** 86 characters of [A-Za-z0-9] from the CSPRNG; `randomInt` draws without modulo bias. */
export function generateClientSecret(): string {
  let secret = '';
  for (let index = 0; index < SECRET_LENGTH; index += 1) secret += SECRET_ALPHABET[randomInt(SECRET_ALPHABET.length)];
  return secret;
}

export const DEFAULT_KEY_PAIR_TYPE = { type: 'rsa', modulus_size: '2048', exponent_size: '65537' } as const;

/**
 * A new client before its keys exist: the create defaults, no identity provider yet and a
 * fresh secret; the fields of a create request apply on top of it.
 */
export function clientToCreate(id: string): Client {
  return clientWithDefaults({
    id,
    identityProvider: null,
    keyPair: { publicKey: '', privateKey: '' },
    secret: generateClientSecret(),
  });
}

/** The create defaults around the parts that are drawn at random (CONTRACT §5). */
export function clientWithDefaults({
  id,
  identityProvider,
  keyPair,
  secret,
}: {
  id: string;
  identityProvider: IdentityProviderLink | null;
  keyPair: PemKeyPair;
  secret: string;
}): Client {
  return {
    id,
    public_client_id: null,
    check_public_client_id: false,
    trusted_authorities: '',
    trusted_hosts: [],
    name: null,
    secret,
    confidential: false,
    redirect_uris: [],
    public_refresh_token: false,
    public_revoke: false,
    authorize_scope: false,
    enforce_dpop: false,
    enforce_tx_code: false,
    access_token_ttl: TTL_MAXIMUMS.access_token_ttl,
    authorization_code_ttl: TTL_MAXIMUMS.authorization_code_ttl,
    authorization_request_ttl: TTL_MAXIMUMS.authorization_request_ttl,
    refresh_token_ttl: TTL_MAXIMUMS.refresh_token_ttl,
    id_token_ttl: TTL_MAXIMUMS.id_token_ttl,
    pkce: false,
    public_key: keyPair.publicKey,
    private_key: keyPair.privateKey,
    key_pair_type: { ...DEFAULT_KEY_PAIR_TYPE },
    signatures_adapter: INTERNAL_SIGNATURES_ADAPTER,
    did: null,
    identity_provider: identityProvider,
    authorized_scopes: [],
    supported_grant_types: ['client_credentials', 'authorization_code'],
    id_token_signature_alg: 'RS512',
    userinfo_signed_response_alg: null,
    token_endpoint_jwt_auth_alg: 'HS256',
    token_endpoint_auth_methods: ['client_secret_basic', 'client_secret_post'],
    jwt_public_key: null,
    response_mode: 'direct_post',
  };
}
