import { DeleteIdentityProvider, identityProviderUseCases } from '../app/identity-providers.js';
import { type IdentityProvider, toIdentityProviderView } from '../domain/identity-provider.js';
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

const IDENTITY_PROVIDER_ROUTES: NamedResourceRoutes<IdentityProvider> = {
  bodyKey: 'identity_provider',
  pathParameter: 'identity_provider_id',
  view: toIdentityProviderView,
  useCases: (options) => identityProviderUseCases(options.identityProviders, options.clients),
};

/** GET /api/identity-providers */
export const createListIdentityProvidersHandler = (options: ResourceRouteOptions) =>
  listRoute(IDENTITY_PROVIDER_ROUTES, options, 'list-identity-providers');
/** GET /api/identity-providers/{identity_provider_id} */
export const createGetIdentityProviderHandler = (options: ResourceRouteOptions) =>
  showRoute(IDENTITY_PROVIDER_ROUTES, options, 'get-identity-provider');
/** POST /api/identity-providers */
export const createCreateIdentityProviderHandler = (options: ResourceRouteOptions) =>
  createRoute(IDENTITY_PROVIDER_ROUTES, options, 'create-identity-provider');
/** PUT and PATCH /api/identity-providers/{identity_provider_id} */
export const createUpdateIdentityProviderHandler = (options: ResourceRouteOptions) =>
  updateRoute(IDENTITY_PROVIDER_ROUTES, options, 'update-identity-provider');

/** DELETE /api/identity-providers/{identity_provider_id}: 204, or 422 naming the clients that link it. */
export function createDeleteIdentityProviderHandler(options: ResourceRouteOptions): LambdaHandler {
  const deleteProvider = new DeleteIdentityProvider(options.identityProviders, options.clients, options);
  return deleteRoute(options, 'delete-identity-provider', 'identity_provider_id', (id, origin, ifMatch) =>
    deleteProvider.execute(id, origin, ifMatch),
  );
}
