import { createScopeAuthorizer } from '../auth/scope-authorizer.js';
import { verifierFromEnvironment } from '../auth/verifier.js';

// Built once per container: the verifier caches the issuer's JWKS across invocations. Logs go
// through the console, which the function's JSON log format turns into structured lines with
// the request id: Powertools would double this bundle.
export const handler = createScopeAuthorizer({ verifier: verifierFromEnvironment(), logger: console });
