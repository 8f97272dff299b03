import { type ApiHandlerName, HANDLER_SCOPES } from '../../lib/api-routes.js';
import { REQUIRED_SCOPE_DEFAULT } from './http-error.js';

/**
 * How a deployment spells the API's scopes. `clients:manage:all` is REQUIRED_SCOPE (Cognito's
 * resource servers prefix it: `clients-api/clients:manage:all`); the others take the prefix
 * that REQUIRED_SCOPE has before `clients:manage:all` (none by default), unless SCOPE_PREFIX
 * says otherwise.
 */
export interface ScopeSettings {
  requiredScope: string;
  scopePrefix: string;
}

export interface RouteScopes {
  /** A token holding any of these is served. */
  accepted: string[];
  /** The one a 403 names in `WWW-Authenticate`. */
  challenge: string;
}

export function defaultScopePrefix(requiredScope: string): string {
  return requiredScope.endsWith(REQUIRED_SCOPE_DEFAULT) ? requiredScope.slice(0, -REQUIRED_SCOPE_DEFAULT.length) : '';
}

export function routeScopes(handler: ApiHandlerName, settings: ScopeSettings): RouteScopes {
  const accepted = HANDLER_SCOPES[handler].map((scope) =>
    scope === REQUIRED_SCOPE_DEFAULT ? settings.requiredScope : `${settings.scopePrefix}${scope}`,
  );
  return { accepted, challenge: accepted[0] as string };
}
