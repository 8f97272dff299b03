import { introspectionFromEnvironment } from '../auth/introspection-secret.js';
import { createScopeAuthorizer } from '../auth/scope-authorizer.js';
import { apiScopes, scopeSettings } from '../http/route-scopes.js';

// The authorizer of a stack whose tokens are opaque (-c introspectionUrl): a bundle of its own,
// so that the JWT authorizer carries no AWS SDK. The Secrets Manager client and the secret it
// reads live as long as the container.
export const handler = createScopeAuthorizer({
  authenticate: introspectionFromEnvironment(),
  acceptedScopes: apiScopes(scopeSettings()),
  logger: console,
});
