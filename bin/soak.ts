/**
 * `npm run soak [-- --duration 60 --connections 20 --clients 4]`: drives the local server with
 * autocannon for a bounded time, mixing valid and invalid updates and racing writers on a few
 * clients, then checks that each client holds, field by field, the value of the last accepted
 * update (by version) and that its version counts every accepted write. Exits 1 on a lost
 * update or a 5xx.
 */
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import autocannon from 'autocannon';
import { startLocalServer } from './local/server.js';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
process.env.POWERTOOLS_LOG_LEVEL ??= 'SILENT';

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

/** Mostly valid single-field updates, some invalid ones, some racing on a stale If-Match. */
function nextChange(): Change {
  sequence += 1;
  const id = sequence;
  const set = (field: string, value: unknown, sent: unknown = value): Change => ({
    id,
    body: JSON.stringify({ client: { [field]: sent } }),
    field,
    value,
  });
  switch (id % 10) {
    case 0:
      return { id, body: JSON.stringify({ client: { access_token_ttl: 0 } }) };
    case 1:
      return { id, body: JSON.stringify({ client: { redirect_uris: ['not a uri'] } }) };
    case 2:
      return { id, body: '{"client":' };
    case 3:
      return { ...set('name', `if-match ${id}`), ifMatch: '"2"' };
    case 4:
      return set('access_token_ttl', (id % 86400) + 1, String((id % 86400) + 1));
    case 5:
      return set('redirect_uris', [`https://app${id}.example.com/cb`]);
    case 6:
      return set('trusted_hosts', [`host${id}.example.com`]);
    case 7:
      return set('public_client_id', `public-${id}`);
    default:
      return set('name', `name ${id}`);
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
const server = await startLocalServer({
  port: 0,
  host: '127.0.0.1',
  engine: 'dynalite',
  table: 'soak',
  protectedClientIds: [],
  seedFile,
  // Hundreds of requests a second: the stage's throttle would answer most of them 429.
  throttle: false,
});
const headers = { Authorization: `Bearer ${server.token}`, 'Content-Type': 'application/json' };
const versionOf = (etag: unknown) => Number(String(etag).replaceAll('"', ''));

try {
  console.log(`Soak: ${duration} s, ${connections} connections, ${clientIds.length} clients, on ${server.url}`);
  const result = await autocannon({
    url: server.url,
    connections,
    duration,
    requests: [
      {
        method: 'PATCH',
        setupRequest: (request, context) => {
          const clientId = clientIds[Math.floor(Math.random() * clientIds.length)] as string;
          const change = nextChange();
          Object.assign(context, { clientId, change });
          unanswered.set(change.id, { clientId, change });
          return {
            ...request,
            path: `/api/clients/${clientId}`,
            headers: { ...headers, ...(change.ifMatch && { 'If-Match': change.ifMatch }) },
            body: change.body,
          };
        },
        onResponse: (status, _body, context, responseHeaders) => {
          statuses.set(status, (statuses.get(status) ?? 0) + 1);
          const { clientId, change } = context as { clientId: string; change: Change };
          unanswered.delete(change.id);
          if (status === 200 && change.field) {
            const version = versionOf(responseHeaders?.ETag ?? responseHeaders?.etag);
            accepted.get(clientId)?.push({ field: change.field, value: change.value, version });
          }
        },
      },
    ],
  });

  let lost = 0;
  for (const clientId of clientIds) {
    const response = await fetch(`${server.url}/api/clients/${clientId}`, {
      method: 'PATCH',
      headers,
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
  console.log('');
  console.log('| requests | req/s | p50 ms | p99 ms | 200 | 400 | 412 | 422 | 409 | 5xx | lost updates |');
  console.log('|---|---|---|---|---|---|---|---|---|---|---|');
  console.log(
    `| ${total} | ${Math.round(result.requests.average)} | ${result.latency.p50} | ${result.latency.p99} | ${[200, 400, 412, 422, 409].map(count).join(' | ')} | ${serverErrors} | ${lost} |`,
  );
  console.log('');
  const pass = lost === 0 && serverErrors === 0 && result.errors === 0;
  console.log(
    `Verdict: ${lost} lost updates, ${serverErrors} 5xx, ${result.errors} connection errors: ${pass ? 'PASS' : 'FAIL'}`,
  );
  process.exitCode = pass ? 0 : 1;
} finally {
  await server.close();
  await rm(folder, { recursive: true, force: true });
}
