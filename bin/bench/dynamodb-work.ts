import { randomUUID } from 'node:crypto';
import { Logger } from '@aws-lambda-powertools/logger';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { clientWithDefaults } from '../../lambda/domain/client-defaults.js';
import { importOrigin } from '../../lambda/domain/history-entry.js';
import { createUpdateClientHandler } from '../../lambda/routes/update-client.js';
import { DynamoDbClientStore } from '../../lambda/store/dynamodb-client-store.js';
import { documentClientFor, ensureTable } from '../local/dynamodb-engines.js';
import { updateEvent } from './warm-handler.js';

export interface DynamoDbWork {
  scenario: string;
  roundTrips: number;
  readUnits: number;
  writeUnits: number;
  status: number;
}

// The names of the underlying DynamoDB commands, which the document client's commands wrap.
const READS = new Set(['BatchGetItemCommand', 'GetItemCommand', 'QueryCommand']);

/** Counts each call the store makes and the capacity DynamoDB reports for it. */
function meter(documents: DynamoDBDocumentClient) {
  const usage = { roundTrips: 0, readUnits: 0, writeUnits: 0 };
  documents.middlewareStack.add(
    (next, context) => async (args) => {
      (args.input as Record<string, unknown>).ReturnConsumedCapacity = 'TOTAL';
      const result = await next(args);
      const consumed = [(result.output as { ConsumedCapacity?: unknown }).ConsumedCapacity].flat() as
        | { CapacityUnits?: number }[]
        | undefined[];
      const units = consumed.reduce((sum, entry) => sum + (entry?.CapacityUnits ?? 0), 0);
      usage.roundTrips += 1;
      if (READS.has(context.commandName as string)) usage.readUnits += units;
      else usage.writeUnits += units;
      return result;
    },
    { step: 'initialize', name: 'capacityMeter' },
  );
  return usage;
}

/** Round trips and consumed capacity of three kinds of update, on a real engine. */
export async function measureDynamoDbWork(endpoint: string): Promise<DynamoDbWork[]> {
  const documents = documentClientFor(endpoint);
  const table = `work-${randomUUID()}`;
  await ensureTable(documents, table);
  const store = new DynamoDbClientStore(documents, table);
  const providers = [
    { id: randomUUID(), name: 'Main directory' },
    { id: randomUUID(), name: 'Partners' },
  ];
  const scopes = ['openid', 'profile', 'orders:read'].map((name) => ({ id: randomUUID(), name, public: false }));
  await Promise.all([
    ...providers.map((provider) => store.putIdentityProvider(provider)),
    ...scopes.map((scope) => store.putScope(scope)),
  ]);
  const client = clientWithDefaults({
    id: randomUUID(),
    identityProvider: providers[0] as (typeof providers)[0],
    keyPair: { publicKey: 'pem', privateKey: 'pem' },
    secret: 'x'.repeat(86),
  });
  await store.putClient(client, { action: 'imported', origin: importOrigin('bench') });

  const usage = meter(documents);
  const handler = createUpdateClientHandler({
    store,
    logger: new Logger({ logLevel: 'SILENT' }),
    requiredScope: 'clients:manage:all',
    protectedClientIds: [],
  });
  const scenarios: [string, unknown][] = [
    ['scalar fields only', { client: { name: 'Orders', access_token_ttl: 3600, pkce: true } }],
    [
      'identity provider and scopes changed, by id',
      { client: { identity_provider: { id: providers[1]?.id }, authorized_scopes: scopes.map(({ id }) => ({ id })) } },
    ],
    // What the admin UI sends on every save: a field edited, the copies as they are stored.
    [
      'a field, with identity provider and scopes sent back as stored',
      {
        client: {
          name: 'Saved from the admin UI',
          identity_provider: { id: providers[1]?.id },
          authorized_scopes: scopes.map(({ id }) => ({ id })),
        },
      },
    ],
    ['a scope created by name', { client: { authorized_scopes: [{ name: `orders:write:${randomUUID()}` }] } }],
  ];
  const results: DynamoDbWork[] = [];
  for (const [scenario, body] of scenarios) {
    Object.assign(usage, { roundTrips: 0, readUnits: 0, writeUnits: 0 });
    const response = await handler(updateEvent(client.id, body), { awsRequestId: 'bench' } as never);
    results.push({ scenario, ...usage, status: response.statusCode });
  }
  documents.destroy();
  return results;
}
