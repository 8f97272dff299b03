import { routeOptionsFromEnvironment } from '../config.js';
import { createGetClientHandler } from '../routes/client-routes.js';

// Configuration, the DynamoDB client and the logger: created once per container.
export const handler = createGetClientHandler(routeOptionsFromEnvironment());
