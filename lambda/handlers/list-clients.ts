import { routeOptionsFromEnvironment } from '../config.js';
import { createListClientsHandler } from '../routes/client-routes.js';

// Configuration, the DynamoDB client and the logger: created once per container.
export const handler = createListClientsHandler(routeOptionsFromEnvironment());
