import type { LambdaHandler } from '../http/api-handler.js';
import { jsonResponse } from '../http/response.js';
import { type ResourceRouteOptions, resourceHandler } from './named-resource-routes.js';

/**
 * GET /api/key-pairs: this service keeps no global key pairs (each client has its own), so the
 * admin UI's key pair select offers only "Custom key pair", and the `key_pair_id: null` it then
 * sends is ignored like any unknown key.
 */
export function createListKeyPairsHandler(
  options: Pick<ResourceRouteOptions, 'logger' | 'requiredScope' | 'scopePrefix' | 'corsOrigins'>,
): LambdaHandler {
  return resourceHandler(options, 'list-key-pairs', ['GET'], async () => jsonResponse(200, { data: [] }));
}
