/**
 * The routes of the API (CONTRACT §1) and the function that serves each: the stack creates
 * them in API Gateway, the local server serves them, the OpenAPI document describes them.
 */
export const API_ROUTES = [
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
] as const;

export type ApiRoute = (typeof API_ROUTES)[number];
export type ApiHandlerName = ApiRoute['handler'];
