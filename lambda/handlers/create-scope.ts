import { resourceRouteOptionsFromEnvironment } from '../config.js';
import { createCreateScopeHandler } from '../routes/scope-routes.js';

// Configuration, the DynamoDB client and the logger: created once per container.
export const handler = createCreateScopeHandler(resourceRouteOptionsFromEnvironment());
