import { createScopeAuthorizer, jwtAuthentication } from '../auth/scope-authorizer.js';
import { verifierFromEnvironment } from '../auth/verifier.js';
import { apiScopes, scopeSettings } from '../http/route-scopes.js';

// Built once per container: the verifier caches the issuer's JWKS across invocations. Logs go
// through the console, which the function's JSON log format turns into structured lines with
// the request id: Powertools would double this bundle.
export const handler = createScopeAuthorizer({
  authenticate: jwtAuthentication(verifierFromEnvironment()),
  acceptedScopes: apiScopes(scopeSettings()),
  logger: console,
});
