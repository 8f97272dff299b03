import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { documentClientFor, type Engine, startDynalite } from '../../bin/local/dynamodb-engines.js';
import { createUpdateClientHandler } from '../../lambda/routes/update-client.js';
import { createDocumentClient } from '../../lambda/store/document-client.js';
import { DynamoDbClientStore, itemKeys } from '../../lambda/store/dynamodb-client-store.js';
import { CLIENT_ID, SEEDED, storedClient } from '../support/clients.js';
import { LAMBDA_CONTEXT, updateEvent } from '../support/events.js';
import { type Fault, FaultInjectingHandler, type FaultPlan } from '../support/fault-injection.js';
import { routeOptions } from '../support/routes.js';
import { newTable } from '../support/tables.js';

const SERVICE_UNAVAILABLE =
  '{"code":"SERVICE_UNAVAILABLE","message":"The service is temporarily unavailable. Retry later."}';
const FAULTS: Fault[] = ['throttling', 'server error', 'connection reset', 'timeout'];

describe('store faults injected below the SDK', () => {
  let engine: Engine;
  let tableName: string;

  beforeAll(async () => {
    engine = await startDynalite();
    const documents = documentClientFor(engine.endpoint);
    tableName = await newTable(documents);
    documents.destroy();
  });
  afterAll(async () => {
    await engine?.stop();
  });

  /** A handler whose DynamoDB client (the functions' own settings: 3 attempts) meets the faults. */
  async function handlerMeeting(plans: FaultPlan[]) {
    const healthy = documentClientFor(engine.endpoint);
    await new DynamoDbClientStore(healthy, tableName).putClient(storedClient(), SEEDED);
    const readItem = async () =>
      (
        await healthy.send(
          new GetCommand({ TableName: tableName, Key: itemKeys.client(CLIENT_ID), ConsistentRead: true }),
        )
      ).Item;
    const faults = new FaultInjectingHandler(plans);
    const documents = createDocumentClient({
      endpoint: engine.endpoint,
      region: 'us-east-1',
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
      requestHandler: faults,
    });
    const handler = createUpdateClientHandler(routeOptions(new DynamoDbClientStore(documents, tableName)));
    return { faults, handler, readItem };
  }

  it.each(FAULTS)('rides out %s on the read that clears within the SDK retries', async (fault) => {
    const { faults, handler } = await handlerMeeting([{ operation: 'BatchGetItem', fault, times: 2 }]);

    const response = await handler(updateEvent({ body: { client: { name: 'after retries' } } }), LAMBDA_CONTEXT);

    expect(response.statusCode).toBe(200);
    expect(faults.attempts.get('BatchGetItem')).toBe(3);
  });

  it.each(FAULTS)('answers 503 with Retry-After once %s outlasts the SDK retries on the read', async (fault) => {
    const { faults, handler } = await handlerMeeting([{ operation: 'BatchGetItem', fault, times: Infinity }]);

    const response = await handler(updateEvent({ body: { client: { name: 'never' } } }), LAMBDA_CONTEXT);

    expect(response.statusCode).toBe(503);
    expect(response.headers).toMatchObject({ 'Retry-After': '1' });
    expect(response.body).toBe(SERVICE_UNAVAILABLE);
    expect(faults.attempts.get('BatchGetItem')).toBe(3);
  });

  it.each(FAULTS)('writes nothing when %s strikes between the read and the write', async (fault) => {
    const { faults, handler, readItem } = await handlerMeeting([{ operation: 'UpdateItem', fault, times: Infinity }]);
    const before = await readItem();

    const response = await handler(updateEvent({ body: { client: { name: 'never' } } }), LAMBDA_CONTEXT);

    expect(response.statusCode).toBe(503);
    expect(response.body).toBe(SERVICE_UNAVAILABLE);
    expect(faults.attempts.get('UpdateItem')).toBe(3);
    expect(await readItem()).toEqual(before);
  });
});
