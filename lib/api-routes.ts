/**
 * The routes of the API (CONTRACT §1) and the function that serves each: the stack creates
 * them in API Gateway, the local server serves them, the OpenAPI document describes them.
 */
export const API_ROUTES = [
  { method: 'GET', path: '/api/clients', handler: 'list-clients', operationId: 'listClients', summary: 'List clients' },
  {
    method: 'POST',
    path: '/api/clients',
    handler: 'create-client',
    operationId: 'createClient',
    summary: 'Create a client',
  },
  {
    method: 'GET',
    path: '/api/clients/{client_id}',
    handler: 'get-client',
    operationId: 'getClient',
    summary: 'Show a client',
  },
  {
    method: 'PUT',
    path: '/api/clients/{client_id}',
    handler: 'update-client',
    operationId: 'updateClient',
    summary: 'Update a client',
  },
  {
    method: 'PATCH',
    path: '/api/clients/{client_id}',
    handler: 'update-client',
    operationId: 'patchClient',
    summary: 'Update a client (same semantics as PUT)',
  },
  {
    method: 'DELETE',
    path: '/api/clients/{client_id}',
    handler: 'delete-client',
    operationId: 'deleteClient',
    summary: 'Delete a client',
  },
  {
    method: 'POST',
    path: '/api/clients/{client_id}/regenerate_key_pair',
    handler: 'regenerate-key-pair',
    operationId: 'regenerateKeyPair',
    summary: 'Generate a new key pair from the key_pair_type',
  },
  {
    method: 'POST',
    path: '/api/clients/{client_id}/regenerate_did',
    handler: 'regenerate-did',
    operationId: 'regenerateDid',
    summary: 'Derive the did:key of the current public key',
  },
  { method: 'GET', path: '/api/scopes', handler: 'list-scopes', operationId: 'listScopes', summary: 'List scopes' },
  {
    method: 'POST',
    path: '/api/scopes',
    handler: 'create-scope',
    operationId: 'createScope',
    summary: 'Create a scope',
  },
  {
    method: 'GET',
    path: '/api/scopes/{scope_id}',
    handler: 'get-scope',
    operationId: 'getScope',
    summary: 'Show a scope',
  },
  {
    method: 'PUT',
    path: '/api/scopes/{scope_id}',
    handler: 'update-scope',
    operationId: 'updateScope',
    summary: 'Update a scope; a rename or a change of public reaches every client',
  },
  {
    method: 'PATCH',
    path: '/api/scopes/{scope_id}',
    handler: 'update-scope',
    operationId: 'patchScope',
    summary: 'Update a scope (same semantics as PUT)',
  },
  {
    method: 'DELETE',
    path: '/api/scopes/{scope_id}',
    handler: 'delete-scope',
    operationId: 'deleteScope',
    summary: 'Delete a scope and remove it from every client',
  },
  {
    method: 'GET',
    path: '/api/identity-providers',
    handler: 'list-identity-providers',
    operationId: 'listIdentityProviders',
    summary: 'List identity providers',
  },
  {
    method: 'POST',
    path: '/api/identity-providers',
    handler: 'create-identity-provider',
    operationId: 'createIdentityProvider',
    summary: 'Create an identity provider',
  },
  {
    method: 'GET',
    path: '/api/identity-providers/{identity_provider_id}',
    handler: 'get-identity-provider',
    operationId: 'getIdentityProvider',
    summary: 'Show an identity provider',
  },
  {
    method: 'PUT',
    path: '/api/identity-providers/{identity_provider_id}',
    handler: 'update-identity-provider',
    operationId: 'updateIdentityProvider',
    summary: 'Update an identity provider; a rename reaches every client',
  },
  {
    method: 'PATCH',
    path: '/api/identity-providers/{identity_provider_id}',
    handler: 'update-identity-provider',
    operationId: 'patchIdentityProvider',
    summary: 'Update an identity provider (same semantics as PUT)',
  },
  {
    method: 'DELETE',
    path: '/api/identity-providers/{identity_provider_id}',
    handler: 'delete-identity-provider',
    operationId: 'deleteIdentityProvider',
    summary: 'Delete an identity provider that no client links',
  },
  {
    method: 'GET',
    path: '/api/key-pairs',
    handler: 'list-key-pairs',
    operationId: 'listKeyPairs',
    summary: 'List global key pairs (none: keys live on each client)',
  },
] as const;

export type ApiRoute = (typeof API_ROUTES)[number];
export type ApiHandlerName = ApiRoute['handler'];

const CLIENTS = 'clients:manage:all';
const SCOPE_READERS = [CLIENTS, 'scopes:manage:all', 'users:manage:all', 'identity-providers:manage:all'];

/**
 * The scopes a token may hold to be served by each function, any one of them sufficing. The
 * first is the one a 403 names (`clients:manage:all` on reads, the write scope on writes).
 * Names as upstream spells them; a deployment may prefix them (README, "Scopes").
 */
export const HANDLER_SCOPES: Record<ApiHandlerName, readonly string[]> = {
  'list-clients': [CLIENTS],
  'create-client': [CLIENTS],
  'get-client': [CLIENTS],
  'update-client': [CLIENTS],
  'delete-client': [CLIENTS],
  'regenerate-key-pair': [CLIENTS],
  'regenerate-did': [CLIENTS],
  'list-scopes': SCOPE_READERS,
  'get-scope': SCOPE_READERS,
  'create-scope': ['scopes:manage:all'],
  'update-scope': ['scopes:manage:all'],
  'delete-scope': ['scopes:manage:all'],
  // Upstream reads need identity-providers:manage:all; clients:manage:all too here, so that the
  // client form's picker works with the token that edits clients.
  'list-identity-providers': [CLIENTS, 'identity-providers:manage:all'],
  'get-identity-provider': [CLIENTS, 'identity-providers:manage:all'],
  'create-identity-provider': ['identity-providers:manage:all'],
  'update-identity-provider': ['identity-providers:manage:all'],
  'delete-identity-provider': ['identity-providers:manage:all'],
  'list-key-pairs': [CLIENTS],
};
