import { Logger } from '@aws-lambda-powertools/logger';
import { corsOriginsFromEnvironment } from './http/cors.js';
import { scopeSettings } from './http/route-scopes.js';
import type { RouteOptions } from './routes/client-routes.js';
import type { ResourceRouteOptions } from './routes/named-resource-routes.js';
import { createDocumentClient } from './store/document-client.js';
import { type ClientStoreSettings, DynamoDbClientStore } from './store/dynamodb-client-store.js';
import { DynamoDbIdentityProviderStore } from './store/dynamodb-identity-provider-store.js';
import { DynamoDbScopeStore } from './store/dynamodb-scope-store.js';
import { historyCapacity, historyRetentionDays } from './store/history-ring.js';

export interface RuntimeConfig {
  tableName: string;
  requiredScope: string;
  scopePrefix: string;
  protectedClientIds: string[];
  history: Required<Pick<ClientStoreSettings, 'historyCapacity' | 'historyRetentionDays'>>;
  corsOrigins: string[];
}

/**
 * The functions' configuration, from their environment:
 * - TABLE_NAME: the DynamoDB table (required);
 * - REQUIRED_SCOPE: how `clients:manage:all` is spelled here (default `clients:manage:all`);
 * - SCOPE_PREFIX: the prefix of the other scopes (default: what REQUIRED_SCOPE has before
 *   `clients:manage:all`, so `clients-api/` for Cognito's `clients-api/clients:manage:all`);
 * - PROTECTED_CLIENT_IDS: write-protected client ids, separated by commas or spaces;
 * - HISTORY_CAPACITY and HISTORY_RETENTION_DAYS: see historySettings;
 * - CORS_ORIGINS: origins whose browsers may read the answers, separated by commas or spaces.
 */
export function runtimeConfig(environment: NodeJS.ProcessEnv = process.env): RuntimeConfig {
  const tableName = environment.TABLE_NAME;
  if (!tableName) throw new Error('TABLE_NAME is not set');
  return {
    tableName,
    ...scopeSettings(environment),
    protectedClientIds: (environment.PROTECTED_CLIENT_IDS ?? '').split(/[\s,]+/).filter(Boolean),
    history: historySettings(environment),
    corsOrigins: corsOriginsFromEnvironment(environment),
  };
}

/**
 * HISTORY_CAPACITY: the entries of history each client's item keeps (1 to 100, default 50);
 * HISTORY_RETENTION_DAYS: how long a deleted client's history stays readable (default 365).
 */
export function historySettings(environment: NodeJS.ProcessEnv = process.env): RuntimeConfig['history'] {
  return {
    historyCapacity: historyCapacity(environment.HISTORY_CAPACITY),
    historyRetentionDays: historyRetentionDays(environment.HISTORY_RETENTION_DAYS),
  };
}

// The authorizer reads it too, without this module's stores.
export { scopeSettings };

/** What a scope or identity provider route needs, built once per container. */
export function resourceRouteOptionsFromEnvironment(): ResourceRouteOptions {
  const config = runtimeConfig();
  const documents = createDocumentClient();
  return {
    clients: new DynamoDbClientStore(documents, config.tableName, config.history),
    scopes: new DynamoDbScopeStore(documents, config.tableName),
    identityProviders: new DynamoDbIdentityProviderStore(documents, config.tableName),
    logger: new Logger({ serviceName: 'clients-api' }),
    requiredScope: config.requiredScope,
    scopePrefix: config.scopePrefix,
    protectedClientIds: config.protectedClientIds,
    corsOrigins: config.corsOrigins,
  };
}

/** What a client route needs, built once per container from the environment. */
export function routeOptionsFromEnvironment(): RouteOptions {
  const config = runtimeConfig();
  return {
    store: new DynamoDbClientStore(createDocumentClient(), config.tableName, config.history),
    logger: new Logger({ serviceName: 'clients-api' }),
    requiredScope: config.requiredScope,
    protectedClientIds: config.protectedClientIds,
    corsOrigins: config.corsOrigins,
  };
}
