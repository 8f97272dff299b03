import { Logger } from '@aws-lambda-powertools/logger';
import { REQUIRED_SCOPE_DEFAULT } from './http/http-error.js';
import type { RouteOptions } from './routes/client-routes.js';
import { createDocumentClient } from './store/document-client.js';
import { DynamoDbClientStore } from './store/dynamodb-client-store.js';

export interface RuntimeConfig {
  tableName: string;
  requiredScope: string;
  protectedClientIds: string[];
}

/**
 * The functions' configuration, from their environment:
 * - TABLE_NAME: the DynamoDB table (required);
 * - REQUIRED_SCOPE: the scope every request needs (default `clients:manage:all`);
 * - PROTECTED_CLIENT_IDS: write-protected client ids, separated by commas or spaces.
 */
export function runtimeConfig(environment: NodeJS.ProcessEnv = process.env): RuntimeConfig {
  const tableName = environment.TABLE_NAME;
  if (!tableName) throw new Error('TABLE_NAME is not set');
  return {
    tableName,
    requiredScope: environment.REQUIRED_SCOPE || REQUIRED_SCOPE_DEFAULT,
    protectedClientIds: (environment.PROTECTED_CLIENT_IDS ?? '').split(/[\s,]+/).filter(Boolean),
  };
}

/** What a client route needs, built once per container from the environment. */
export function routeOptionsFromEnvironment(): RouteOptions {
  const config = runtimeConfig();
  return {
    store: new DynamoDbClientStore(createDocumentClient(), config.tableName),
    logger: new Logger({ serviceName: 'clients-api' }),
    requiredScope: config.requiredScope,
    protectedClientIds: config.protectedClientIds,
  };
}
