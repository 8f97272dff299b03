import { resourceRouteOptionsFromEnvironment } from '../config.js';
import { createUpdateScopeHandler } from '../routes/scope-routes.js';

// Configuration, the DynamoDB client and the logger: created once per container.
export const handler = createUpdateScopeHandler(resourceRouteOptionsFromEnvironment());
