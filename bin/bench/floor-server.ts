/**
 * The end-to-end floor of `npm run bench`: an update without this project's code. A bare
 * node:http server answers `PATCH /api/clients/{id}` with the two DynamoDB calls an update
 * makes (a consistent BatchGetItem of the client, then an UpdateItem conditional on the
 * version read, returning the attributes it set, as the store asks: the whole item would also
 * carry the client's history) and sets the body's fields as they come: no gateway
 * emulation, no authorizer, no validation, no view.
 * `node --import tsx bin/bench/floor-server.ts --endpoint <url> --table <name>`; prints
 * `Listening on <url>` and stops on SIGTERM.
 */
import { createServer } from 'node:http';
import { parseArgs } from 'node:util';
import { BatchGetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { itemKeys } from '../../lambda/store/dynamodb-client-store.js';
import { documentClientFor } from '../local/dynamodb-engines.js';

const { values } = parseArgs({
  options: { endpoint: { type: 'string' }, table: { type: 'string' }, port: { type: 'string', default: '0' } },
});
const table = values.table as string;
const documents = documentClientFor(values.endpoint as string);

const server = createServer(async (request, response) => {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  const key = itemKeys.client(decodeURIComponent(request.url?.split('/')[3] ?? ''));
  const fields = Object.entries((JSON.parse(Buffer.concat(chunks).toString()) as { client: object }).client);
  try {
    const read = await documents.send(
      new BatchGetCommand({ RequestItems: { [table]: { Keys: [key], ConsistentRead: true } } }),
    );
    const version = Number(read.Responses?.[table]?.[0]?.version);
    const written = await documents.send(
      new UpdateCommand({
        TableName: table,
        Key: key,
        UpdateExpression: `SET #version = :next, ${fields.map((_, index) => `#f${index} = :f${index}`).join(', ')}`,
        ConditionExpression: '#version = :expected',
        ExpressionAttributeNames: {
          '#version': 'version',
          ...Object.fromEntries(fields.map(([name], index) => [`#f${index}`, name])),
        },
        ExpressionAttributeValues: {
          ':expected': version,
          ':next': version + 1,
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
