import { routeOptionsFromEnvironment } from '../config.js';
import { createGetClientHistoryHandler } from '../routes/client-history.js';

// Configuration, the DynamoDB client and the logger: created once per container.
export const handler = createGetClientHistoryHandler(routeOptionsFromEnvironment());
