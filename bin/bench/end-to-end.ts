import { randomUUID } from 'node:crypto';
import { BatchGetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { itemKeys } from '../../lambda/store/dynamodb-client-store.js';
import { loadDevIssuer, mintToken } from '../local/dev-issuer.js';
import { documentClientFor, ensureTable } from '../local/dynamodb-engines.js';
import { startNodeProcess } from '../local/node-process.js';
import {
  type BenchEngine,
  LOCAL_CREDENTIALS,
  type LoadResult,
  medianThroughput,
  oneClientEach,
  patchLoad,
  type Throughput,
} from './load.js';
import { interleave, percentile, ratioOf, round, type Spread } from './stats.js';
import { BENCH_UPDATE } from './warm-handler.js';

export interface EndToEndFigures {
  concurrency: number;
  /** The local server: emulated gateway, authorizer, function code. */
  server: Throughput;
  /** A bare node:http server making the same two DynamoDB calls (bin/bench/floor-server.ts). */
  httpFloor: Throughput;
  /** The SDK sending those two calls straight to the engine, without HTTP in front (reference). */
  sdkFloor: Throughput;
  /**
   * The server's mean latency over the floor's, per round, from throughput at equal concurrency
   * (Little's law): autocannon's whole-millisecond latencies are too coarse for 1 to 3 ms.
   */
  overHttpFloor: Spread;
  overSdkFloor: Spread;
}

const ROUND_SECONDS = 1;

/**
 * The update over local HTTP against its floors, in alternating one-second rounds at each
 * concurrency: the local server and the floor server are child processes on the same dynalite
 * (another child), driven by the same autocannon; each connection updates a client of its own,
 * so the figures are of work, not of races.
 */
export async function measureEndToEnd(
  engine: BenchEngine,
  rounds: number,
  concurrencies: number[],
): Promise<EndToEndFigures[]> {
  const server = await engine.startServer({ POWERTOOLS_LOG_LEVEL: 'SILENT' });
  try {
    const floor = await startNodeProcess(
      'bin/bench/floor-server.ts',
      ['--endpoint', engine.endpoint, '--table', engine.table],
      {
        env: LOCAL_CREDENTIALS,
        ready: /^Listening on /,
      },
    );
    try {
      const floorUrl = floor.readyLine.replace('Listening on ', '');
      const token = mintToken(await loadDevIssuer());
      const directFloor = await startSdkFloor(engine.endpoint);
      const figures: EndToEndFigures[] = [];
      for (const concurrency of concurrencies) {
        // The floor gets the same request, bearer token included, and ignores the token.
        const spreadLoad = (url: string, clientIds: string[]) => () =>
          patchLoad({
            url,
            token,
            connections: concurrency,
            seconds: ROUND_SECONDS,
            request: oneClientEach(clientIds, BENCH_UPDATE),
          }).then(allAnswered200(url));
        const results = await interleave(
          {
            server: spreadLoad(server.url, engine.serverClientIds),
            httpFloor: spreadLoad(floorUrl, engine.floorClientIds),
            sdkFloor: () => directFloor.run(concurrency, ROUND_SECONDS),
          },
          rounds,
        );
        const rate = (line: Throughput[]) => line.map((figures) => figures.requestsPerSecond);
        figures.push({
          concurrency,
          server: medianThroughput(results.server),
          httpFloor: medianThroughput(results.httpFloor),
          sdkFloor: medianThroughput(results.sdkFloor),
          overHttpFloor: ratioOf(rate(results.httpFloor), rate(results.server)),
          overSdkFloor: ratioOf(rate(results.sdkFloor), rate(results.server)),
        });
      }
      directFloor.close();
      return figures;
    } finally {
      await floor.stop();
    }
  } finally {
    await server.stop();
  }
}

function allAnswered200(url: string) {
  return (result: LoadResult): LoadResult => {
    const others = Object.entries(result.statuses).filter(([status]) => status !== '200');
    if (others.length > 0 || result.errors > 0) {
      throw new Error(`${url} answered ${JSON.stringify(result.statuses)}, ${result.errors} connection errors`);
    }
    return result;
  };
}

/**
 * BatchGetItem then a version-conditional UpdateItem, in a loop per worker, sent from this
 * process straight to the engine, on a table of its own.
 */
async function startSdkFloor(endpoint: string) {
  const documents = documentClientFor(endpoint);
  const table = `floor-${randomUUID()}`;
  await ensureTable(documents, table);
  const run = async (workers: number, seconds: number): Promise<Throughput> => {
    const latencies: number[] = [];
    const deadline = Date.now() + seconds * 1000;
    await Promise.all(
      Array.from({ length: workers }, async () => {
        const key = itemKeys.client(randomUUID());
        await documents.send(
          new UpdateCommand({
            TableName: table,
            Key: key,
            UpdateExpression: 'SET version = :one',
            ExpressionAttributeValues: { ':one': 1 },
          }),
        );
        while (Date.now() < deadline) {
          const started = process.hrtime.bigint();
          const read = await documents.send(
            new BatchGetCommand({ RequestItems: { [table]: { Keys: [key], ConsistentRead: true } } }),
          );
          const version = Number(read.Responses?.[table]?.[0]?.version);
          await documents.send(
            new UpdateCommand({
              TableName: table,
              Key: key,
              UpdateExpression: 'SET #version = :next, #name = :name',
              ConditionExpression: '#version = :expected',
              ExpressionAttributeNames: { '#version': 'version', '#name': 'name' },
              ExpressionAttributeValues: {
                ':expected': version,
                ':next': version + 1,
                ':name': BENCH_UPDATE.client.name,
              },
              ReturnValues: 'ALL_NEW',
            }),
          );
          latencies.push(Number(process.hrtime.bigint() - started) / 1e6);
        }
      }),
    );
    return {
      requestsPerSecond: round(latencies.length / seconds),
      p50Ms: round(percentile(latencies, 0.5), 2),
      p99Ms: round(percentile(latencies, 0.99), 2),
    };
  };
  return { run, close: () => documents.destroy() };
}
