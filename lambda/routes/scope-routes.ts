import { DeleteScope, scopeUseCases } from '../app/scopes.js';
import { type Scope, toScopeView } from '../domain/scope.js';
import type { LambdaHandler } from '../http/api-handler.js';
import {
  createRoute,
  deleteRoute,
  listRoute,
  type NamedResourceRoutes,
  type ResourceRouteOptions,
  showRoute,
  updateRoute,
} from './named-resource-routes.js';

const SCOPE_ROUTES: NamedResourceRoutes<Scope> = {
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
  return deleteRoute(options, 'delete-scope', 'scope_id', (id, origin, ifMatch) =>
    deleteScope.execute(id, origin, ifMatch),
  );
}
