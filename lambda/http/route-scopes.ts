import { API_FUNCTIONS, API_SCOPE_NAMES, type ApiHandlerName, type FunctionSpec } from '../../lib/api-routes.js';
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

/** REQUIRED_SCOPE and SCOPE_PREFIX: how this deployment spells the API's scopes. */
export function scopeSettings(environment: NodeJS.ProcessEnv = process.env): ScopeSettings {
  const requiredScope = environment.REQUIRED_SCOPE || REQUIRED_SCOPE_DEFAULT;
  return { requiredScope, scopePrefix: environment.SCOPE_PREFIX ?? defaultScopePrefix(requiredScope) };
}

/** A scope of the route table as this deployment spells it. */
function spelled(scope: string, settings: ScopeSettings): string {
  return scope === REQUIRED_SCOPE_DEFAULT ? settings.requiredScope : `${settings.scopePrefix}${scope}`;
}

/**
 * The scopes a function accepts, as this deployment spells them: those of its routes in the route
 * table (every route of one function accepts the same, which a test keeps true).
 */
export function routeScopes(handler: ApiHandlerName, settings: ScopeSettings): RouteScopes {
  const [route] = (API_FUNCTIONS[handler] as FunctionSpec).routes;
  const accepted = (route?.scopes ?? []).map((scope) => spelled(scope, settings));
  return { accepted, challenge: accepted[0] as string };
}

/**
 * Every scope some route accepts, as this deployment spells them: what the authorizer, which
 * answers once for the whole API, lets in (each function then checks its own route's).
 */
export function apiScopes(settings: ScopeSettings): string[] {
  return API_SCOPE_NAMES.map((scope) => spelled(scope, settings));
}

/**
 * The scopes that serve some method of a resource, from its methods' in route order: API Gateway
 * answers its other methods 405 only to a token holding one of them, and else the 403 that its
 * first method would answer, so that a 405 never tells a caller more than a function would.
 */
export function resourceScopes(methods: readonly RouteScopes[]): RouteScopes {
  return {
    accepted: [...new Set(methods.flatMap((method) => method.accepted))],
    challenge: methods[0]?.challenge ?? '',
  };
}
