import { Logger } from '@aws-lambda-powertools/logger';
import { runtimeConfig } from '../config.js';
import { createUpdateClientHandler } from '../routes/update-client.js';
import { createDocumentClient } from '../store/document-client.js';
import { DynamoDbClientStore } from '../store/dynamodb-client-store.js';

// Created once per container: configuration, the DynamoDB client and the logger.
const config = runtimeConfig();
export const handler = createUpdateClientHandler({
  store: new DynamoDbClientStore(createDocumentClient(), config.tableName),
  logger: new Logger({ serviceName: 'clients-api' }),
  requiredScope: config.requiredScope,
  protectedClientIds: config.protectedClientIds,
});
