import { loadDevIssuer, mintToken } from '../local/dev-issuer.js';
import { type BenchEngine, type LoadOptions, oneClientEach, patchLoad, type Sent } from './load.js';
import { round } from './stats.js';
import { BENCH_UPDATE } from './warm-handler.js';

export interface HotClientLine {
  connections: number;
  clients: number;
  requestsPerSecond: number;
  p50Ms: number;
  p99Ms: number;
  writes: number;
  /** Conditional writes that lost a race, per write that landed (the server's request logs). */
  retriesPerWrite: number;
  conflicts: number;
}

export interface HotClientFigures {
  seconds: number;
  /** Every connection on the same client, each setting a field of its own. */
  hot: HotClientLine;
  /** At the same time, each connection on a client of its own. */
  spread: HotClientLine;
}

const CONNECTIONS = 10;

/** A field per connection and a value no other request sends. */
const HOT_FIELDS: [string, (sequence: number) => unknown][] = [
  ['name', (sequence) => `hot ${sequence}`],
  ['public_client_id', (sequence) => `public-${sequence}`],
  ['redirect_uris', (sequence) => [`https://app${sequence}.example.com/cb`]],
  ['trusted_hosts', (sequence) => [`host${sequence}.example.com`]],
  ['access_token_ttl', (sequence) => (sequence % 86_400) + 1],
  ['authorization_code_ttl', (sequence) => (sequence % 600) + 1],
  ['authorization_request_ttl', (sequence) => (sequence % 300) + 1],
  ['refresh_token_ttl', (sequence) => (sequence % 2_592_000) + 1],
  ['id_token_ttl', (sequence) => (sequence % 86_400) + 1],
  ['jwt_public_key', (sequence) => `jwk-${sequence}`],
];

/**
 * Ten connections updating different fields of one client, beside ten connections on ten
 * clients, at the same time on one local server: what a busy client costs in throughput,
 * latency and lost races, and whether any writer gives up (409). The server logs each update's
 * retries on its request line (at INFO, as in Lambda); they are read from its output.
 */
export async function measureHotClient(engine: BenchEngine, seconds: number): Promise<HotClientFigures> {
  const tallies = new Map<string, { writes: number; retries: number }>();
  const server = await engine.startServer({ POWERTOOLS_LOG_LEVEL: 'INFO' }, (line) => {
    if (!line.startsWith('{"')) return;
    const entry = JSON.parse(line) as { message?: string; path?: string; status?: number; retries?: number };
    if (entry.message !== 'request' || entry.status !== 200 || entry.retries === undefined) return;
    const clientId = String(entry.path).split('/')[3] as string;
    const tally = tallies.get(clientId) ?? { writes: 0, retries: 0 };
    tallies.set(clientId, { writes: tally.writes + 1, retries: tally.retries + entry.retries });
  });
  let sequence = 0;
  let nextField = 0;
  try {
    const token = mintToken(await loadDevIssuer());
    const load = (request: LoadOptions<Sent>['request']) =>
      patchLoad({ url: server.url, token, connections: CONNECTIONS, seconds, request });
    const [hot, spread] = await Promise.all([
      load((connection) => {
        connection.field ??= HOT_FIELDS[nextField++ % HOT_FIELDS.length];
        const [field, value] = connection.field as (typeof HOT_FIELDS)[number];
        sequence += 1;
        return {
          path: `/api/clients/${engine.hotClientId}`,
          body: JSON.stringify({ client: { [field]: value(sequence) } }),
        };
      }),
      load(oneClientEach(engine.serverClientIds, BENCH_UPDATE)),
    ]);
    // Every request line is read before the figures are: the server's output ends with it.
    await server.stop();
    const line = (result: typeof hot, clientIds: string[]): HotClientLine => {
      const writes = clientIds.reduce((sum, id) => sum + (tallies.get(id)?.writes ?? 0), 0);
      const retries = clientIds.reduce((sum, id) => sum + (tallies.get(id)?.retries ?? 0), 0);
      const unexpected = Object.keys(result.statuses).filter((status) => status !== '200' && status !== '409');
      if (writes === 0) throw new Error('hot-client run wrote nothing: its updates changed nothing');
      if (unexpected.length > 0 || result.errors > 0) {
        throw new Error(
          `hot-client run answered ${JSON.stringify(result.statuses)}, ${result.errors} connection errors`,
        );
      }
      return {
        connections: CONNECTIONS,
        clients: clientIds.length,
        requestsPerSecond: result.requestsPerSecond,
        p50Ms: result.p50Ms,
        p99Ms: result.p99Ms,
        writes,
        retriesPerWrite: writes > 0 ? round(retries / writes, 2) : 0,
        conflicts: result.statuses['409'] ?? 0,
      };
    };
    return { seconds, hot: line(hot, [engine.hotClientId]), spread: line(spread, engine.serverClientIds) };
  } finally {
    await server.stop();
  }
}
