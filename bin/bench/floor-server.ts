/**
 * The end-to-end floor of `npm run bench`: an update without this project's code. A bare
 * node:http server answers `PATCH /api/clients/{id}` with the two DynamoDB calls an update
 * makes (a consistent BatchGetItem of the client, with the store's projection, then an
 * UpdateItem conditional on the version read, returning the attributes it set, as the store asks) and sets the body's fields
 * as they come: no gateway emulation, no authorizer, no validation, no view. Like ours, the
 * UpdateItem also records the change in the item's history ring, the same slot of the same
 * items: the contract makes that entry part of the write, so the engine's work on it is not
 * this project's overhead. The entry is a plain diff of the body against the item read, with
 * none of the caps, fingerprints or actor checks of ours.
 * `node --import tsx bin/bench/floor-server.ts --endpoint <url> --table <name>`; prints
 * `Listening on <url>` and stops on SIGTERM.
 */
import { randomUUID } from 'node:crypto';
import { createServer } from 'node:http';
import { isDeepStrictEqual, parseArgs } from 'node:util';
import { BatchGetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { itemKeys, updateReadProjection } from '../../lambda/store/dynamodb-client-store.js';
import { DEFAULT_HISTORY_CAPACITY, historySlot } from '../../lambda/store/history-ring.js';
import { documentClientFor } from '../local/dynamodb-engines.js';

const { values } = parseArgs({
  options: { endpoint: { type: 'string' }, table: { type: 'string' }, port: { type: 'string', default: '0' } },
});
const table = values.table as string;
const documents = documentClientFor(values.endpoint as string);
const projection = updateReadProjection(DEFAULT_HISTORY_CAPACITY);

const server = createServer(async (request, response) => {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  const key = itemKeys.client(decodeURIComponent(request.url?.split('/')[3] ?? ''));
  const fields = Object.entries((JSON.parse(Buffer.concat(chunks).toString()) as { client: object }).client);
  try {
    const read = await documents.send(
      new BatchGetCommand({ RequestItems: { [table]: { Keys: [key], ConsistentRead: true, ...projection } } }),
    );
    const item = read.Responses?.[table]?.[0] ?? {};
    const version = Number(item.version);
    const entry = {
      version: version + 1,
      at: new Date().toISOString(),
      action: 'updated',
      actor: { sub: 'bench', client_id: 'bench', issuer: 'bench' },
      request_id: randomUUID(),
      source_ip: request.socket.remoteAddress,
      changes: Object.fromEntries(
        fields
          .filter(([name, value]) => !isDeepStrictEqual(item[name], value))
          .map(([name, value]) => [name, { from: item[name] ?? null, to: value }]),
      ),
    };
    const written = await documents.send(
      new UpdateCommand({
        TableName: table,
        Key: key,
        UpdateExpression: `SET #version = :next, #entry = :entry, ${fields.map((_, index) => `#f${index} = :f${index}`).join(', ')}`,
        ConditionExpression: '#version = :expected',
        ExpressionAttributeNames: {
          '#version': 'version',
          '#entry': historySlot(version + 1, DEFAULT_HISTORY_CAPACITY),
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
    response.writeHead(200, { 'Content-Type': 'application/json' }).end(JSON.stringify({ data: written.Attributes }));
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
