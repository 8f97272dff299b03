import type { Client } from '../../lambda/domain/client.js';

export const IDENTITY_PROVIDER = { id: '8f6c2f54-3a6b-4c61-9b36-0c3c0f1c2a10', name: 'Main directory' };
export const OTHER_IDENTITY_PROVIDER = { id: '2b0f7d9e-5c1a-4e8b-8d3f-6a7b9c0d1e2f', name: 'Partners' };
export const SCOPE_OPENID = { id: '0d3c9e1a-7b2f-4c5d-8e6f-9a0b1c2d3e4f', name: 'openid', public: true };
export const SCOPE_PROFILE = { id: '5e4d3c2b-1a0f-4e9d-8c7b-6a5f4e3d2c1b', name: 'profile', public: false };
export const CLIENT_ID = '6a2f41a3-c54c-fce8-32d2-0324e1c32e22';

/** A stored client as create leaves it (CONTRACT §5), with stand-in keys to keep unit tests fast. */
export function storedClient(overrides: Partial<Client> = {}): Client {
  return {
    id: CLIENT_ID,
    public_client_id: null,
    check_public_client_id: false,
    trusted_authorities: '',
    trusted_hosts: [],
    name: 'Demo client',
    secret: 'stored-secret-value',
    confidential: false,
    redirect_uris: ['https://app.example.com/callback'],
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
    public_key: 'stand-in public key',
    private_key: 'stand-in private key material',
    key_pair_type: { type: 'rsa', modulus_size: '2048', exponent_size: '65537' },
    signatures_adapter: 'Elixir.Boruta.Internal.Signatures',
    did: null,
    identity_provider: IDENTITY_PROVIDER,
    authorized_scopes: [SCOPE_OPENID],
    supported_grant_types: ['client_credentials', 'authorization_code'],
    id_token_signature_alg: 'RS512',
    userinfo_signed_response_alg: null,
    token_endpoint_jwt_auth_alg: 'HS256',
    token_endpoint_auth_methods: ['client_secret_basic', 'client_secret_post'],
    jwt_public_key: null,
    response_mode: 'direct_post',
    ...overrides,
  };
}
