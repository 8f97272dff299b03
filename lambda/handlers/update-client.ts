import { routeOptionsFromEnvironment } from '../config.js';
import { createUpdateClientHandler } from '../routes/update-client.js';

// Configuration, the DynamoDB client and the logger: created once per container.
export const handler = createUpdateClientHandler(routeOptionsFromEnvironment());
