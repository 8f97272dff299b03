import { DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { type HistoryEntry, historyEntry } from '../../lambda/domain/history-entry.js';
import { encodeHistoryCursor } from '../../lambda/domain/history-page.js';
import { createGetClientHistoryHandler } from '../../lambda/routes/client-history.js';
import { createDocumentClient } from '../../lambda/store/document-client.js';
import { DynamoDbClientStore, itemKeys } from '../../lambda/store/dynamodb-client-store.js';
import { historyEntryAttributes } from '../../lambda/store/history-ring.js';
import { ADMIN_ORIGIN, CLIENT_ID, storedClient } from '../support/clients.js';
import { apiEvent, LAMBDA_CONTEXT } from '../support/events.js';
import { clientItem } from '../support/items.js';
import { routeOptions } from '../support/routes.js';

const TABLE = 'clients-test';
const dynamo = mockClient(DynamoDBDocumentClient);
const NOW = new Date('2026-11-27T20:41:03.512Z');
const history = createGetClientHistoryHandler(
  routeOptions(new DynamoDbClientStore(createDocumentClient(), TABLE, { historyCapacity: 5, now: () => NOW })),
);
const NOT_FOUND = {
  code: 'NOT_FOUND',
  message: 'The requested resource could not be found.',
  errors: { resource: ['the requested resource could not be found.'] },
};

beforeEach(() => {
  dynamo.reset();
});

/** The entry of version `version`: a rename from `v<version - 1>` to `v<version>`. */
function entryOf(version: number): HistoryEntry {
  const { actor, requestId, sourceIp } = ADMIN_ORIGIN;
  return historyEntry({
    clientId: CLIENT_ID,
    action: version === 1 ? 'created' : 'updated',
    version,
    at: new Date(NOW.getTime() - (10 - version) * 1000),
    actor,
    requestId,
    sourceIp,
    before: version === 1 ? null : storedClient({ name: `v${version - 1}` }),
    after: storedClient({ name: `v${version}` }),
  });
}

/** The client item after `version` writes, each with its entry, in a ring of 5. */
function itemAt(version: number): Record<string, unknown> {
  const item = clientItem(storedClient({ name: `v${version}` }), version);
  for (let written = 1; written <= version; written += 1)
    Object.assign(item, historyEntryAttributes(entryOf(written), 5));
  return item;
}

async function get(query?: Record<string, string>, clientId = CLIENT_ID) {
  const response = await history(
    apiEvent({ method: 'GET', clientId, action: '/history', rawBody: null, query }),
    LAMBDA_CONTEXT,
  );
  return { status: response.statusCode, json: JSON.parse(response.body) };
}

describe('GET /api/clients/{client_id}/history', () => {
  it('answers the kept entries newest first, from one consistent GetItem that reads the history only', async () => {
    dynamo.on(GetCommand).resolves({ Item: itemAt(7) });

    const response = await get();

    expect(response).toEqual({ status: 200, json: { data: [7, 6, 5, 4, 3].map(entryOf), next_cursor: null } });
    expect(dynamo.calls()).toHaveLength(1);
    const read = dynamo.commandCalls(GetCommand)[0]?.args[0].input;
    expect(read).toMatchObject({ TableName: TABLE, Key: itemKeys.client(CLIENT_ID), ConsistentRead: true });
    const projected = (read?.ProjectionExpression ?? '')
      .split(', ')
      .map((name) => read?.ExpressionAttributeNames?.[name]);
    // Never the secret, the keys or any other field: the version, the tombstone's marks, the slots.
    expect(projected).toEqual([
      'version',
      'deleted_at',
      'expires_at',
      ...Array.from({ length: 100 }, (_, index) => `history_${index}`),
    ]);
  });

  it('pages with limit and the cursor of the previous page, as the list does', async () => {
    dynamo.on(GetCommand).resolves({ Item: itemAt(7) });

    const first = await get({ limit: '2' });
    const second = await get({ limit: '2', cursor: first.json.next_cursor });
    const last = await get({ limit: '2', cursor: second.json.next_cursor });

    expect(first.json).toEqual({ data: [entryOf(7), entryOf(6)], next_cursor: encodeHistoryCursor(6) });
    expect(second.json).toEqual({ data: [entryOf(5), entryOf(4)], next_cursor: encodeHistoryCursor(4) });
    expect(last.json).toEqual({ data: [entryOf(3)], next_cursor: null });
  });

  it("serves a deleted client's history, the delete on top, until its retention is over", async () => {
    const deleted = historyEntry({
      clientId: CLIENT_ID,
      action: 'deleted',
      version: 3,
      at: NOW,
      ...ADMIN_ORIGIN,
      before: storedClient({ name: 'v2' }),
      after: null,
    });
    const tombstone = {
      ...itemKeys.client(CLIENT_ID),
      version: 3,
      ...historyEntryAttributes(entryOf(1), 5),
      ...historyEntryAttributes(entryOf(2), 5),
      ...historyEntryAttributes(deleted, 5),
      deleted_at: NOW.toISOString(),
    };
    const expiresAt = (seconds: number) => ({ expires_at: Math.floor(NOW.getTime() / 1000) + seconds });

    dynamo.on(GetCommand).resolves({ Item: { ...tombstone, ...expiresAt(60) } });
    expect(await get()).toEqual({ status: 200, json: { data: [deleted, entryOf(2), entryOf(1)], next_cursor: null } });

    // Past its retention the tombstone is as good as gone, whether or not TTL removed it yet.
    dynamo.on(GetCommand).resolves({ Item: { ...tombstone, ...expiresAt(-1) } });
    expect(await get()).toEqual({ status: 404, json: NOT_FOUND });
  });

  it('answers 404 for an id that never had a client', async () => {
    dynamo.on(GetCommand).resolves({});

    expect(await get()).toEqual({ status: 404, json: NOT_FOUND });
  });

  it.each([
    [{ limit: '0' }, { limit: ['must be an integer from 1 to 100'] }],
    [{ limit: '101' }, { limit: ['must be an integer from 1 to 100'] }],
    [{ cursor: 'garbage' }, { cursor: ['is invalid'] }],
    // The list's cursors are not the history's.
    [{ cursor: Buffer.from(CLIENT_ID).toString('base64url') }, { cursor: ['is invalid'] }],
  ])('answers 400 to %j without reading', async (query, errors) => {
    expect(await get(query)).toEqual({
      status: 400,
      json: { code: 'BAD_REQUEST', message: 'The request is malformed.', errors },
    });
    expect(dynamo.calls()).toHaveLength(0);
  });

  it('answers 400 to a malformed id without reading', async () => {
    expect((await get(undefined, 'nope')).status).toBe(400);
    expect(dynamo.calls()).toHaveLength(0);
  });

  it('answers 403 to a token without the clients scope, before reading', async () => {
    const response = await history(
      apiEvent({
        method: 'GET',
        action: '/history',
        rawBody: null,
        authorizer: { sub: 'reader', scope: 'scopes:manage:all', exp: String(Math.floor(Date.now() / 1000) + 60) },
      }),
      LAMBDA_CONTEXT,
    );

    expect(response.statusCode).toBe(403);
    expect(dynamo.calls()).toHaveLength(0);
  });

  it('gives an allowed origin the CORS headers every route gives, on a 200 and on a 404', async () => {
    const adminUi = 'https://admin.example.com';
    const withCors = createGetClientHistoryHandler(
      routeOptions(new DynamoDbClientStore(createDocumentClient(), TABLE, { historyCapacity: 5, now: () => NOW }), {
        corsOrigins: [adminUi],
      }),
    );
    const event = apiEvent({ method: 'GET', action: '/history', rawBody: null, headers: { Origin: adminUi } });
    const cors = {
      'Access-Control-Allow-Origin': adminUi,
      'Access-Control-Expose-Headers': 'ETag, Location, WWW-Authenticate, Retry-After',
      Vary: 'Origin',
    };

    dynamo.on(GetCommand).resolves({ Item: itemAt(2) });
    const found = await withCors(event, LAMBDA_CONTEXT);
    dynamo.on(GetCommand).resolves({});
    const missing = await withCors(event, LAMBDA_CONTEXT);

    expect(found.statusCode).toBe(200);
    expect(found.headers).toMatchObject(cors);
    expect(missing.statusCode).toBe(404);
    expect(missing.headers).toMatchObject(cors);
  });
});
