import { createListKeyPairsHandler } from '../routes/key-pair-routes.js';
import { tablelessRouteOptionsFromEnvironment } from '../tableless-config.js';

// Configuration and the logger: created once per container. No DynamoDB client: no table read.
export const handler = createListKeyPairsHandler(tablelessRouteOptionsFromEnvironment());
