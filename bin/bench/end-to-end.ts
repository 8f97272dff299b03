import { type ChildProcess, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { BatchGetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import autocannon from 'autocannon';
import { itemKeys } from '../../lambda/store/dynamodb-client-store.js';
import { PROJECT_ROOT } from '../../lib/function-bundling.js';
import { loadDevIssuer, mintToken } from '../local/dev-issuer.js';
import { documentClientFor, ensureTable, freePort } from '../local/dynamodb-engines.js';
import { percentile, round } from './stats.js';
import { BENCH_UPDATE } from './warm-handler.js';

export interface Throughput {
  requestsPerSecond: number;
  p50Ms: number;
  p99Ms: number;
}

export interface EndToEndFigures {
  concurrency: number;
  endToEnd: Throughput;
  floor: Throughput;
  /**
   * End-to-end mean latency over the floor's, from throughput at equal concurrency (Little's
   * law): autocannon records whole milliseconds, too coarse for p50s of 1 to 3 ms.
   */
  ratio: number;
}

const CLIENTS = 10;
const LOCAL_CREDENTIALS = { AWS_ACCESS_KEY_ID: 'local', AWS_SECRET_ACCESS_KEY: 'local', AWS_REGION: 'us-east-1' };

/** A child process, and the first line it prints that matches. */
async function startChild(command: string, args: string[], ready: RegExp, env: Record<string, string> = {}) {
  const child = spawn(command, args, {
    cwd: PROJECT_ROOT,
    env: { PATH: process.env.PATH, HOME: process.env.HOME, POWERTOOLS_LOG_LEVEL: 'SILENT', ...env },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const line = await new Promise<string>((resolve, reject) => {
    createInterface({ input: child.stdout as NodeJS.ReadableStream }).on('line', (text) => {
      if (ready.test(text)) resolve(text);
    });
    child.once('exit', (code) => reject(new Error(`${command} exited with ${code}`)));
  });
  return { child, line };
}

function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    child.once('exit', () => resolve());
    child.kill('SIGTERM');
  });
}

/**
 * The update over local HTTP (the local server as a child process, on dynalite in another),
 * beside the floor: the two DynamoDB calls an update needs, sent by the SDK straight to the same
 * engine at the same concurrency.
 */
export async function measureEndToEnd(seconds: number, concurrencies: number[]): Promise<EndToEndFigures[]> {
  const folder = await mkdtemp(join(tmpdir(), 'bench-'));
  const dynaliteCli = join(createRequire(import.meta.url).resolve('dynalite/package.json'), '..', 'cli.js');
  const port = await freePort();
  const engineProcess = spawn(process.execPath, [dynaliteCli, '--port', String(port)], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let server: ChildProcess | undefined;
  try {
    await new Promise<void>((resolve, reject) => {
      createInterface({ input: engineProcess.stdout as NodeJS.ReadableStream }).on('line', (text) => {
        if (/listening/i.test(text)) resolve();
      });
      engineProcess.once('exit', () => reject(new Error('dynalite exited')));
    });
    const engine = `http://127.0.0.1:${port}`;
    const provider = { id: randomUUID(), name: 'Bench' };
    const clientIds = Array.from({ length: CLIENTS }, () => randomUUID());
    const seedFile = join(folder, 'seed.json');
    await writeFile(
      seedFile,
      JSON.stringify({
        identity_providers: [provider],
        clients: clientIds.map((id) => ({ id, identity_provider: { id: provider.id } })),
      }),
    );
    const started = await startChild(
      'npx',
      ['tsx', 'bin/local-server.ts', '--port', '0', '--endpoint', engine, '--table', 'bench', '--seed', seedFile],
      /^Listening on /,
      // Load at hundreds of requests a second: the stage's throttle would answer most with 429.
      { ...LOCAL_CREDENTIALS, THROTTLE: 'off' },
    );
    server = started.child;
    const url = started.line.replace('Listening on ', '');
    const token = mintToken(await loadDevIssuer());

    const figures: EndToEndFigures[] = [];
    for (const concurrency of concurrencies) {
      const endToEnd = await loadTest(url, token, clientIds, concurrency, seconds);
      const floor = await rawFloor(engine, concurrency, seconds);
      figures.push({
        concurrency,
        endToEnd,
        floor,
        ratio: round(floor.requestsPerSecond / endToEnd.requestsPerSecond, 2),
      });
    }
    return figures;
  } finally {
    if (server) await stop(server);
    await stop(engineProcess);
    await rm(folder, { recursive: true, force: true });
  }
}

async function loadTest(
  url: string,
  token: string,
  clientIds: string[],
  connections: number,
  seconds: number,
): Promise<Throughput> {
  let nextClient = 0;
  const result = await autocannon({
    url,
    connections,
    duration: seconds,
    requests: [
      {
        method: 'PATCH',
        // Each connection updates a client of its own: the figures are of work, not of races.
        setupRequest: (request, context) => {
          const connection = context as { clientId?: string };
          connection.clientId ??= clientIds[nextClient++ % clientIds.length];
          return {
            ...request,
            path: `/api/clients/${connection.clientId}`,
            headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
            body: JSON.stringify(BENCH_UPDATE),
          };
        },
      },
    ],
  });
  if (result.non2xx > 0 || result.errors > 0) throw new Error(`${result.non2xx} non-2xx and ${result.errors} errors`);
  return { requestsPerSecond: round(result.requests.average), p50Ms: result.latency.p50, p99Ms: result.latency.p99 };
}

/** BatchGetItem then a version-conditional UpdateItem, in a loop per worker. */
async function rawFloor(endpoint: string, workers: number, seconds: number): Promise<Throughput> {
  const documents = documentClientFor(endpoint);
  const table = `floor-${randomUUID()}`;
  await ensureTable(documents, table);
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
  documents.destroy();
  return {
    requestsPerSecond: round(latencies.length / seconds),
    p50Ms: round(percentile(latencies, 0.5), 2),
    p99Ms: round(percentile(latencies, 0.99), 2),
  };
}
