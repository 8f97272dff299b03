import { randomUUID } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import type { IncomingHttpHeaders } from 'node:http';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import autocannon from 'autocannon';
import { freePort } from '../local/dynamodb-engines.js';
import { startLocalServerProcess, startNodeProcess } from '../local/node-process.js';
import { percentile, round } from './stats.js';

export const LOCAL_CREDENTIALS = {
  AWS_ACCESS_KEY_ID: 'local',
  AWS_SECRET_ACCESS_KEY: 'local',
  AWS_REGION: 'us-east-1',
};
const TABLE = 'bench';
const CLIENTS_PER_LINE = 10;
const SETTLE_MS = 200;

export interface Throughput {
  requestsPerSecond: number;
  p50Ms: number;
  p99Ms: number;
}

/** What the load lines share: dynalite in a child process, and who may update what on it. */
export interface BenchEngine {
  endpoint: string;
  table: string;
  /** Each updated by one connection of the local server's lines. */
  serverClientIds: string[];
  /** Clients of the same shape for the floor server, which writes the values unvalidated. */
  floorClientIds: string[];
  /** The one client the hot-client line's connections all update. */
  hotClientId: string;
  /** Starts the local server on this engine (seeding the table on the first start). */
  startServer(env: Record<string, string>, onLine?: (line: string) => void): ReturnType<typeof startLocalServerProcess>;
}

/** Runs `work` with dynalite in a child process, stopped (and waited for) whatever happens. */
export async function withBenchEngine<T>(work: (engine: BenchEngine) => Promise<T>): Promise<T> {
  const folder = await mkdtemp(join(tmpdir(), 'bench-'));
  const dynaliteCli = join(createRequire(import.meta.url).resolve('dynalite/package.json'), '..', 'cli.js');
  const port = await freePort();
  const dynalite = await startNodeProcess(dynaliteCli, ['--host', '127.0.0.1', '--port', String(port)], {
    ready: /listening/i,
  });
  try {
    const endpoint = `http://127.0.0.1:${port}`;
    const ids = (count: number) => Array.from({ length: count }, () => randomUUID());
    const [serverClientIds, floorClientIds, [hotClientId]] = [ids(CLIENTS_PER_LINE), ids(CLIENTS_PER_LINE), ids(1)];
    const provider = { id: randomUUID(), name: 'Bench' };
    const seedFile = join(folder, 'seed.json');
    await writeFile(
      seedFile,
      JSON.stringify({
        identity_providers: [provider],
        clients: [...serverClientIds, ...floorClientIds, hotClientId].map((id) => ({
          id,
          identity_provider: { id: provider.id },
        })),
      }),
    );
    return await work({
      endpoint,
      table: TABLE,
      serverClientIds,
      floorClientIds,
      hotClientId: hotClientId as string,
      startServer: (env, onLine) =>
        startLocalServerProcess(['--port', '0', '--endpoint', endpoint, '--table', TABLE, '--seed', seedFile], {
          env: { ...LOCAL_CREDENTIALS, ...env },
          onLine,
        }),
    });
  } finally {
    await dynalite.stop();
    await rm(folder, { recursive: true, force: true });
  }
}

/** What a connection sends next: the path and body of a PATCH, and any header of its own. */
export interface Sent {
  path: string;
  body: string;
  headers?: Record<string, string>;
}

export interface LoadOptions<Request extends Sent> {
  url: string;
  connections: number;
  seconds: number;
  token?: string;
  /** The next request of a connection, given that connection's own state (kept across its requests). */
  request: (connection: Record<string, unknown>) => Request;
  /** Each answer, beside what was sent. */
  onResponse?: (status: number, headers: IncomingHttpHeaders, sent: Request) => void;
}

export interface LoadResult extends Throughput {
  statuses: Record<string, number>;
  /** Connection errors and timeouts. */
  errors: number;
}

/**
 * PATCH requests with autocannon, each connection with a state of its own: autocannon's own
 * request context starts afresh at every request of a one-request list.
 */
export async function patchLoad<Request extends Sent>(options: LoadOptions<Request>): Promise<LoadResult> {
  const { url, token, request, onResponse } = options;
  const headers: Record<string, string> = {
    'Content-Type': 'application/json',
    ...(token && { Authorization: `Bearer ${token}` }),
  };
  const result = await autocannon({
    url,
    connections: options.connections,
    duration: options.seconds,
    setupClient: (client) => {
      const connection: Record<string, unknown> = {};
      client.setRequests([
        {
          method: 'PATCH',
          setupRequest: (template, context) => {
            const sent = request(connection);
            (context as { sent?: Request }).sent = sent;
            return { ...template, path: sent.path, headers: { ...headers, ...sent.headers }, body: sent.body };
          },
          onResponse: (status, _body, context, responseHeaders) =>
            onResponse?.(status, responseHeaders ?? {}, (context as { sent: Request }).sent),
        },
      ]);
    },
  });
  // autocannon stops at its deadline with requests in flight, which the server still finishes:
  // let them land before the next load, lest they race with its first requests.
  await sleep(SETTLE_MS);
  return {
    requestsPerSecond: round(result.requests.total / result.duration),
    p50Ms: result.latency.p50,
    p99Ms: result.latency.p99,
    statuses: Object.fromEntries(
      Object.entries(result.statusCodeStats ?? {}).map(([status, stats]) => [status, stats.count ?? 0]),
    ),
    errors: result.errors,
  };
}

/** Each connection keeps to a client of its own (round-robin over `clientIds`) and sends `update`, renamed each time. */
export function oneClientEach(clientIds: string[], update: object) {
  let next = 0;
  let sequence = 0;
  return (connection: Record<string, unknown>): Sent => {
    connection.clientId ??= clientIds[next++ % clientIds.length];
    sequence += 1;
    // The same body twice is an update that changes nothing, answered without a write: the
    // floor would then be measured doing more work than ours.
    const body = { ...update, client: { ...(update as { client: object }).client, name: `bench ${sequence}` } };
    return { path: `/api/clients/${connection.clientId}`, body: JSON.stringify(body) };
  };
}

/** Per-round throughputs as one line: the median of each figure. */
export function medianThroughput(rounds: Throughput[]): Throughput {
  const middle = (pick: (figures: Throughput) => number) => round(percentile(rounds.map(pick), 0.5), 2);
  return {
    requestsPerSecond: middle((figures) => figures.requestsPerSecond),
    p50Ms: middle((figures) => figures.p50Ms),
    p99Ms: middle((figures) => figures.p99Ms),
  };
}
