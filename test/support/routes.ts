import { Logger } from '@aws-lambda-powertools/logger';
import type { RouteOptions } from '../../lambda/routes/client-routes.js';
import type { ClientStore } from '../../lambda/store/client-store.js';

/** Route options over a store, silent, requiring the contract's scope. */
export function routeOptions(store: ClientStore, overrides: Partial<RouteOptions> = {}): RouteOptions {
  return {
    store,
    logger: new Logger({ logLevel: 'SILENT' }),
    requiredScope: 'clients:manage:all',
    protectedClientIds: [],
    ...overrides,
  };
}
