import { Logger } from '@aws-lambda-powertools/logger';
import { BatchGetCommand, type DynamoDBDocumentClient, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { APIGatewayProxyEvent, Context } from 'aws-lambda';
import type { Client } from '../../lambda/domain/client.js';
import { clientWithDefaults } from '../../lambda/domain/client-defaults.js';
import { type HistoryEntry, historyEntry } from '../../lambda/domain/history-entry.js';
import { createUpdateClientHandler } from '../../lambda/routes/update-client.js';
import { DynamoDbClientStore, itemKeys } from '../../lambda/store/dynamodb-client-store.js';
import { percentile, round } from './stats.js';

const CLIENT_ID = '6a2f41a3-c54c-4ce8-b2d2-0324e1c32e22';
export const BENCH_UPDATE = {
  client: {
    name: 'Orders service',
    redirect_uris: ['https://orders.example.com/callback', 'myapp://callback'],
    access_token_ttl: '3600',
    pkce: 'true',
    supported_grant_types: ['authorization_code', 'refresh_token'],
    id_token_signature_alg: 'RS256',
  },
};

/** A proxy event as API Gateway sends it for the update route. */
export function updateEvent(clientId: string, body: unknown): APIGatewayProxyEvent {
  const headers = { 'Content-Type': 'application/json', Authorization: 'Bearer x', Accept: 'application/json' };
  return {
    resource: '/api/clients/{client_id}',
    path: `/api/clients/${clientId}`,
    httpMethod: 'PATCH',
    headers,
    multiValueHeaders: Object.fromEntries(Object.entries(headers).map(([name, value]) => [name, [value]])),
    queryStringParameters: null,
    multiValueQueryStringParameters: null,
    pathParameters: { client_id: clientId },
    stageVariables: null,
    body: JSON.stringify(body),
    isBase64Encoded: false,
    requestContext: {
      authorizer: {
        principalId: 'bench',
        scope: 'clients:manage:all',
        exp: String(Math.floor(Date.now() / 1000) + 3600),
      },
    } as never,
  };
}

const CONTEXT = { awsRequestId: 'bench', functionName: 'bench' } as Context;

/** The entries of versions 8 to 57, each renaming the client, in their slots of a ring of 50. */
function fullHistory(client: Client): Record<string, HistoryEntry> {
  const ring: Record<string, HistoryEntry> = {};
  for (let version = 8; version <= 57; version += 1) {
    const entry = historyEntry({
      clientId: client.id,
      action: 'updated',
      version,
      at: new Date(),
      actor: { sub: 'admin', client_id: 'admin-ui', issuer: 'https://issuer.example.com/' },
      requestId: 'c6af9ac6-7b61-41e6-9a41-93e8deadbeef',
      sourceIp: '203.0.113.7',
      before: { ...client, name: `v${version - 1}`, redirect_uris: [`https://a${version}.example.com/cb`] },
      after: { ...client, name: `v${version}`, redirect_uris: [`https://a${version + 1}.example.com/cb`] },
    });
    ring[`history_${version % 50}`] = entry;
  }
  return ring;
}

/**
 * The handler's own CPU per update: event decoding, validation, merge, the history entry,
 * expression building and the JSON answer, with DynamoDB answered from memory at once.
 */
export async function measureWarmHandler(iterations: number): Promise<{ p50Micros: number; p99Micros: number }> {
  const stored = clientWithDefaults({
    id: CLIENT_ID,
    identityProvider: { id: '8f6c2f54-3a6b-4c61-9b36-0c3c0f1c2a10', name: 'Main directory' },
    keyPair: { publicKey: '-----BEGIN PUBLIC KEY-----\n...', privateKey: 'never returned' },
    secret: 'x'.repeat(86),
  });
  // In steady state the item carries a full history: 50 entries of a typical update.
  const item = { ...itemKeys.client(CLIENT_ID), ...stored, version: 57, ...fullHistory(stored) };
  const written = { name: BENCH_UPDATE.client.name, version: 58 };
  const documents = {
    send: async (command: unknown) => {
      if (command instanceof BatchGetCommand) return { Responses: { bench: [item] } };
      if (command instanceof UpdateCommand) return { Attributes: written };
      throw new Error('unexpected command');
    },
  } as unknown as DynamoDBDocumentClient;
  const handler = createUpdateClientHandler({
    store: new DynamoDbClientStore(documents, 'bench'),
    logger: new Logger({ logLevel: 'SILENT' }),
    requiredScope: 'clients:manage:all',
    protectedClientIds: [],
  });
  const event = updateEvent(CLIENT_ID, BENCH_UPDATE);
  const samples: number[] = [];
  for (let index = 0; index < iterations + 2000; index += 1) {
    const started = process.hrtime.bigint();
    const response = await handler(event, CONTEXT);
    const elapsed = Number(process.hrtime.bigint() - started) / 1000;
    if (response.statusCode !== 200) throw new Error(`warm handler answered ${response.statusCode}: ${response.body}`);
    if (index >= 2000) samples.push(elapsed);
  }
  return { p50Micros: round(percentile(samples, 0.5)), p99Micros: round(percentile(samples, 0.99)) };
}
