import { Logger } from '@aws-lambda-powertools/logger';
import { corsOriginsFromEnvironment } from './http/cors.js';
import { scopeSettings } from './http/route-scopes.js';

/**
 * What a route that reads no table (key pairs) needs: its scopes, CORS and a logger. Apart from
 * lambda/config.ts, whose stores would bring the DynamoDB client into the bundle (the SDK is not
 * free of side effects as far as the bundler can tell), and with it most of a cold start.
 */
export function tablelessRouteOptionsFromEnvironment() {
  return {
    ...scopeSettings(),
    corsOrigins: corsOriginsFromEnvironment(),
    logger: new Logger({ serviceName: 'clients-api' }),
  };
}
