/**
 * The end-to-end floor of `npm run bench`: an update without this project's code. A bare
 * node:http server answers `PATCH /api/clients/{id}` with the same two DynamoDB calls as the
 * store's update: a consistent BatchGetItem with the store's projection, then an UpdateItem
 * conditional on the version read and on the client not being deleted, which sets the fields
 * that differ from the item read (as they come: no validation) with the version and the
 * change's history entry in its slot (UPDATED_NEW, as ours). The contract makes that entry
 * part of every write, so the engine's work on it is not this project's overhead; the floor's
 * entry is a plain diff, with none of our caps or fingerprints, and the actor a dev token
 * carries (its claims are constants here: no token is read). It answers what the contract
 * answers, the updated client with its version as the ETag, as a plain copy of the stored
 * attributes: no view. No gateway emulation, no authorizer, no validation.
 * `HISTORY_CAPACITY` applies as it does to the store.
 * `node --import tsx bin/bench/floor-server.ts --endpoint <url> --table <name>`; prints
 * `Listening on <url>` and stops on SIGTERM.
 */
import { randomUUID } from 'node:crypto';
import { createServer } from 'node:http';
import { isDeepStrictEqual, parseArgs } from 'node:util';
import { BatchGetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { historySettings } from '../../lambda/config.js';
import { itemKeys, updateReadProjection } from '../../lambda/store/dynamodb-client-store.js';
import { DELETED_AT, HISTORY_SLOT_PREFIX, historySlot } from '../../lambda/store/history-ring.js';
import { DEV_ISSUER, DEV_TOKEN_CLIENT_ID, DEV_TOKEN_SUBJECT } from '../local/dev-issuer.js';
import { documentClientFor } from '../local/dynamodb-engines.js';

const { values } = parseArgs({
  options: { endpoint: { type: 'string' }, table: { type: 'string' }, port: { type: 'string', default: '0' } },
});
const table = values.table as string;
const documents = documentClientFor(values.endpoint as string);
const { historyCapacity } = historySettings();
const projection = updateReadProjection(historyCapacity);
const ACTOR = { sub: DEV_TOKEN_SUBJECT, client_id: DEV_TOKEN_CLIENT_ID, issuer: DEV_ISSUER };
/** What the item holds besides the client the contract answers with. */
const NOT_ANSWERED = new Set(['pk', 'sk', 'version', 'private_key']);

const server = createServer(async (request, response) => {
  try {
    // Read with listeners, as the local gateway reads, not through an async iterator.
    const body = await new Promise<Buffer>((resolve, reject) => {
      const chunks: Buffer[] = [];
      request.on('data', (chunk: Buffer) => chunks.push(chunk));
      request.once('end', () => resolve(Buffer.concat(chunks)));
      request.once('error', reject);
    });
    const key = itemKeys.client(decodeURIComponent(request.url?.split('/')[3] ?? ''));
    const sent = Object.entries((JSON.parse(body.toString()) as { client: object }).client);
    const read = await documents.send(
      new BatchGetCommand({ RequestItems: { [table]: { Keys: [key], ConsistentRead: true, ...projection } } }),
    );
    const item = read.Responses?.[table]?.[0] ?? {};
    const version = Number(item.version);
    // As ours, only what differs from the item read is written (and recorded).
    const fields = sent.filter(([name, value]) => !isDeepStrictEqual(item[name], value));
    const entry = {
      version: version + 1,
      at: new Date().toISOString(),
      action: 'updated',
      actor: ACTOR,
      request_id: randomUUID(),
      source_ip: request.socket.remoteAddress,
      changes: Object.fromEntries(fields.map(([name, value]) => [name, { from: item[name] ?? null, to: value }])),
    };
    const written = await documents.send(
      new UpdateCommand({
        TableName: table,
        Key: key,
        UpdateExpression: [
          'SET #version = :next, #entry = :entry',
          ...fields.map((_, index) => `#f${index} = :f${index}`),
        ].join(', '),
        ConditionExpression: '#version = :expected AND attribute_not_exists(#deletedAt)',
        ExpressionAttributeNames: {
          '#version': 'version',
          '#deletedAt': DELETED_AT,
          '#entry': historySlot(version + 1, historyCapacity),
          ...Object.fromEntries(fields.map(([name], index) => [`#f${index}`, name])),
        },
        ExpressionAttributeValues: {
          ':expected': version,
          ':next': version + 1,
          ':entry': entry,
          ...Object.fromEntries(fields.map(([, value], index) => [`:f${index}`, value])),
        },
        ReturnValues: 'UPDATED_NEW',
        ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
      }),
    );
    const client = Object.fromEntries(
      Object.entries({ ...item, ...written.Attributes }).filter(
        ([name]) => !NOT_ANSWERED.has(name) && !name.startsWith(HISTORY_SLOT_PREFIX),
      ),
    );
    response
      .writeHead(200, { 'Content-Type': 'application/json', ETag: `"${version + 1}"` })
      .end(JSON.stringify({ data: client }));
  } catch (error) {
    console.error(`floor server: ${(error as Error).name}: ${(error as Error).message}`);
    response.writeHead(500).end();
  }
});
server.listen(Number(values.port), '127.0.0.1', () => {
  const { port } = server.address() as { port: number };
  console.log(`Listening on http://127.0.0.1:${port}`);
});
process.once('SIGTERM', () => {
  server.close();
  server.closeAllConnections();
  documents.destroy();
});
