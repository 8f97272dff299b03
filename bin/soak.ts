/**
 * `npm run soak [-- --duration 60 --connections 20 --clients 4]`: drives the local server (a
 * child process) with autocannon for a bounded time, mixing valid and invalid updates and
 * racing writers on a few clients, then checks that each client holds, field by field, the
 * value of the last accepted update (by version) and that its version counts every accepted
 * write. Each connection keeps to one client and writes one field of its own, so the writers
 * of a client race on different fields (up to 10 connections a client). Reports 409s and the
 * races writes lost (from the server's request logs) apart; exits 1 on a lost update, a 5xx
 * or a 409.
 */
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { patchLoad } from './bench/load.js';
import { loadDevIssuer, mintToken } from './local/dev-issuer.js';
import { startLocalServerProcess } from './local/node-process.js';

const { values } = parseArgs({
  options: {
    duration: { type: 'string', default: '60' },
    connections: { type: 'string', default: '20' },
    clients: { type: 'string', default: '4' },
  },
});
const duration = Number(values.duration);
const connections = Number(values.connections);
const clientIds = Array.from({ length: Number(values.clients) }, () => randomUUID());

interface Change {
  id: number;
  body: string;
  /** For valid changes: the one field set, to a value no other request uses. */
  field?: string;
  value?: unknown;
  ifMatch?: string;
}
interface Accepted {
  field: string;
  value: unknown;
  version: number;
}

const accepted = new Map<string, Accepted[]>(clientIds.map((id) => [id, []]));
/** Requests without an answer when the run stopped: their write may or may not have landed. */
const unanswered = new Map<number, { clientId: string; change: Change }>();
const statuses = new Map<number, number>();
let sequence = 0;

/** The fields writers set, one per connection of a client, each value used once. */
const FIELDS: [string, (id: number) => unknown, ((id: number) => unknown)?][] = [
  ['name', (id) => `name ${id}`],
  ['access_token_ttl', (id) => (id % 86400) + 1, (id) => String((id % 86400) + 1)],
  ['redirect_uris', (id) => [`https://app${id}.example.com/cb`]],
  ['trusted_hosts', (id) => [`host${id}.example.com`]],
  ['public_client_id', (id) => `public-${id}`],
  ['refresh_token_ttl', (id) => (id % 2592000) + 1],
  ['id_token_ttl', (id) => (id % 86400) + 1],
  ['authorization_code_ttl', (id) => (id % 600) + 1],
  ['jwt_public_key', (id) => `jwk-${id}`],
  ['trusted_authorities', (id) => `https://ca${id}.example.com`],
];

/**
 * The next request of a connection writing `field`: mostly valid updates of that field, some
 * invalid ones, some malformed, some racing on a stale If-Match.
 */
function nextChange(field: (typeof FIELDS)[number]): Change {
  sequence += 1;
  const id = sequence;
  const [name, value, sent = value] = field;
  const set: Change = { id, body: JSON.stringify({ client: { [name]: sent(id) } }), field: name, value: value(id) };
  switch (id % 10) {
    case 0:
      return { id, body: JSON.stringify({ client: { access_token_ttl: 0 } }) };
    case 1:
      return { id, body: JSON.stringify({ client: { redirect_uris: ['not a uri'] } }) };
    case 2:
      return { id, body: '{"client":' };
    case 3:
      return { ...set, ifMatch: '"2"' };
    default:
      return set;
  }
}

const folder = await mkdtemp(join(tmpdir(), 'soak-'));
const seedFile = join(folder, 'seed.json');
const provider = { id: randomUUID(), name: 'Soak' };
await writeFile(
  seedFile,
  JSON.stringify({
    identity_providers: [provider],
    clients: clientIds.map((id) => ({ id, name: 'soak', identity_provider: { id: provider.id } })),
  }),
);
const retries = { races: 0, writes: 0 };
const server = await startLocalServerProcess(['--port', '0', '--table', 'soak', '--seed', seedFile], {
  env: { POWERTOOLS_LOG_LEVEL: 'INFO' },
  // Each update's request line counts the races its write lost before it landed.
  onLine: (line) => {
    if (!line.startsWith('{"')) return;
    const entry = JSON.parse(line) as { message?: string; status?: number; retries?: number };
    if (entry.message !== 'request' || entry.status !== 200 || entry.retries === undefined) return;
    retries.races += entry.retries;
    retries.writes += 1;
  },
});
const versionOf = (etag: unknown) => Number(String(etag).replaceAll('"', ''));
let nextConnection = 0;

try {
  const perClient = Math.ceil(connections / clientIds.length);
  console.log(
    `Soak: ${duration} s, ${connections} connections, ${clientIds.length} clients, on ${server.url}; ` +
      (perClient <= FIELDS.length
        ? 'each connection writes a field of its own: writers of a client set different fields'
        : `more than ${FIELDS.length} connections a client: some share a field`),
  );
  const token = mintToken(await loadDevIssuer());
  const result = await patchLoad({
    url: server.url,
    token,
    connections,
    seconds: duration,
    request: (connection) => {
      // A connection keeps to one client and one field: its index decides both.
      connection.index ??= nextConnection++;
      const index = connection.index as number;
      const clientId = clientIds[index % clientIds.length] as string;
      const change = nextChange(
        FIELDS[Math.floor(index / clientIds.length) % FIELDS.length] as (typeof FIELDS)[number],
      );
      unanswered.set(change.id, { clientId, change });
      return {
        clientId,
        change,
        path: `/api/clients/${clientId}`,
        body: change.body,
        headers: change.ifMatch ? { 'If-Match': change.ifMatch } : undefined,
      };
    },
    onResponse: (status, responseHeaders, { clientId, change }) => {
      statuses.set(status, (statuses.get(status) ?? 0) + 1);
      unanswered.delete(change.id);
      if (status === 200 && change.field) {
        const version = versionOf(responseHeaders.etag);
        accepted.get(clientId)?.push({ field: change.field, value: change.value, version });
      }
    },
  });

  let lost = 0;
  for (const clientId of clientIds) {
    const response = await fetch(`${server.url}/api/clients/${clientId}`, {
      method: 'PATCH',
      headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
      body: '{"client":{}}',
    });
    const version = versionOf(response.headers.get('etag'));
    const { data } = (await response.json()) as { data: Record<string, unknown> };
    const writes = accepted.get(clientId) ?? [];
    const maybe = [...unanswered.values()].filter((entry) => entry.clientId === clientId && entry.change.field);
    if (version < 1 + writes.length || version > 1 + writes.length + maybe.length) {
      lost += Math.abs(1 + writes.length - version);
      console.log(`  ${clientId}: version ${version}, ${writes.length} accepted writes, ${maybe.length} unanswered`);
    }
    const last = new Map<string, Accepted>();
    for (const write of writes) {
      if ((last.get(write.field)?.version ?? -1) < write.version) last.set(write.field, write);
    }
    for (const [field, write] of last) {
      const possible = [write, ...maybe.filter((entry) => entry.change.field === field).map((entry) => entry.change)];
      if (!possible.some(({ value }) => JSON.stringify(data[field]) === JSON.stringify(value))) {
        lost += 1;
        console.log(
          `  ${clientId}.${field} = ${JSON.stringify(data[field])}, last accepted v${write.version}: ${JSON.stringify(write.value)}`,
        );
      }
    }
  }

  const count = (status: number) => statuses.get(status) ?? 0;
  const serverErrors = [...statuses].filter(([status]) => status >= 500).reduce((sum, [, n]) => sum + n, 0);
  const total = [...statuses.values()].reduce((sum, n) => sum + n, 0);
  // The server's output is read to its end once it has stopped: every request line counted.
  await server.stop();
  const perWrite = retries.writes > 0 ? (retries.races / retries.writes).toFixed(2) : '0';
  console.log('');
  console.log(
    '| requests | req/s | p50 ms | p99 ms | 200 | 400 | 412 | 422 | 409 | 5xx | lost updates | races lost before a write | per write |',
  );
  console.log('|---|---|---|---|---|---|---|---|---|---|---|---|---|');
  console.log(
    `| ${total} | ${Math.round(result.requestsPerSecond)} | ${result.p50Ms} | ${result.p99Ms} | ${[200, 400, 412, 422, 409].map(count).join(' | ')} | ${serverErrors} | ${lost} | ${retries.races} | ${perWrite} |`,
  );
  console.log('');
  const pass = lost === 0 && serverErrors === 0 && count(409) === 0 && result.errors === 0;
  console.log(
    `Verdict: ${lost} lost updates, ${serverErrors} 5xx, ${count(409)} 409s, ${result.errors} connection errors: ${pass ? 'PASS' : 'FAIL'}`,
  );
  process.exitCode = pass ? 0 : 1;
} finally {
  await server.stop();
  await rm(folder, { recursive: true, force: true });
}
