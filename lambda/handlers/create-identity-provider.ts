import { resourceRouteOptionsFromEnvironment } from '../config.js';
import { createCreateIdentityProviderHandler } from '../routes/identity-provider-routes.js';

// Configuration, the DynamoDB client and the logger: created once per container.
export const handler = createCreateIdentityProviderHandler(resourceRouteOptionsFromEnvironment());
