/** The API's name: API Gateway's name for it, and the `source` of the events it publishes. */
export const API_NAME = 'clients-admin-api';

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
] as const;

export type ApiRoute = (typeof API_ROUTES)[number];
export type ApiHandlerName = ApiRoute['handler'];
