import { DeleteScope, scopeUseCases } from '../app/scopes.js';
import { type Scope, toScopeView } from '../domain/scope.js';
import type { LambdaHandler } from '../http/api-handler.js';
import { ifMatchPrecondition } from '../http/negotiation.js';
import { uuidPathParameter } from '../http/request.js';
import { noContent } from '../http/response.js';
import { refusal } from './client-responses.js';
import {
  createRoute,
  listRoute,
  type NamedResourceRoutes,
  type ResourceRouteOptions,
  resourceHandler,
  showRoute,
  updateRoute,
} from './named-resource-routes.js';

const SCOPE_ROUTES: NamedResourceRoutes<Scope> = {
  collectionPath: '/api/scopes',
  bodyKey: 'scope',
  pathParameter: 'scope_id',
  view: toScopeView,
  useCases: (options) => scopeUseCases(options.scopes, options.clients),
};

/** GET /api/scopes */
export const createListScopesHandler = (options: ResourceRouteOptions) =>
  listRoute(SCOPE_ROUTES, options, 'list-scopes');
/** GET /api/scopes/{scope_id} */
export const createGetScopeHandler = (options: ResourceRouteOptions) => showRoute(SCOPE_ROUTES, options, 'get-scope');
/** POST /api/scopes */
export const createCreateScopeHandler = (options: ResourceRouteOptions) =>
  createRoute(SCOPE_ROUTES, options, 'create-scope');
/** PUT and PATCH /api/scopes/{scope_id} */
export const createUpdateScopeHandler = (options: ResourceRouteOptions) =>
  updateRoute(SCOPE_ROUTES, options, 'update-scope');

/** DELETE /api/scopes/{scope_id}: 204 once no client has the scope. */
export function createDeleteScopeHandler(options: ResourceRouteOptions): LambdaHandler {
  const deleteScope = new DeleteScope(options.scopes, options.clients);
  return resourceHandler(options, 'delete-scope', ['DELETE'], async (request) => {
    const outcome = await deleteScope.execute(uuidPathParameter(request, 'scope_id'), ifMatchPrecondition(request));
    return outcome === 'deleted' ? noContent() : refusal({ status: outcome });
  });
}
