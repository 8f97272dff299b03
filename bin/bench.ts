/**
 * `npm run bench [-- --check] [--seconds 5] [--cold-runs 21]`: builds the bundles as the stack
 * deploys them and measures them side by side in one run (only ratios within a run are worth
 * comparing on a shared machine). Prints Markdown, writes bench/results.json; with --check,
 * exits 1 when a budget is missed.
 */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { PROJECT_ROOT } from '../lib/function-bundling.js';
import { measureAuthorizer } from './bench/authorizer.js';
import { measureBundles, measureColdStarts } from './bench/bundles.js';
import { measureDynamoDbWork } from './bench/dynamodb-work.js';
import { measureEndToEnd } from './bench/end-to-end.js';
import { measureWarmHandler } from './bench/warm-handler.js';
import { startDynalite } from './local/dynamodb-engines.js';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

const { values } = parseArgs({
  options: {
    check: { type: 'boolean', default: false },
    seconds: { type: 'string', default: '5' },
    'cold-runs': { type: 'string', default: '21' },
  },
});
const KB = 1024;

const outDir = await mkdtemp(join(tmpdir(), 'bench-bundles-'));
try {
  const bundles = await measureBundles(outDir);
  const coldStarts = measureColdStarts(bundles, Number(values['cold-runs']));
  const warm = await measureWarmHandler(20_000);
  const engine = await startDynalite();
  const work = await measureDynamoDbWork(engine.endpoint).finally(() => engine.stop());
  const endToEnd = await measureEndToEnd(Number(values.seconds), [1, 10]);
  const authorizer = await measureAuthorizer(3);

  const bundle = (name: string) => bundles.find((entry) => entry.name === name);
  const cold = (name: string) => coldStarts.bundles.find((entry) => entry.name === name);
  const atTen = endToEnd.find((figures) => figures.concurrency === 10);
  const budgets = [
    {
      budget: 'update bundle ≤ 350 KB',
      value: `${((bundle('update-client')?.bytes ?? 0) / KB).toFixed(1)} KB`,
      met: (bundle('update-client')?.bytes ?? Infinity) <= 350 * KB,
    },
    {
      budget: 'authorizer bundle ≤ 40 KB, no AWS SDK',
      value: `${((bundle('authorizer')?.bytes ?? 0) / KB).toFixed(1)} KB, SDK ${bundle('authorizer')?.containsSdk ? 'inside' : 'absent'}`,
      met: (bundle('authorizer')?.bytes ?? Infinity) <= 40 * KB && bundle('authorizer')?.containsSdk === false,
    },
    ...coldStarts.bundles.map((entry) => ({
      budget: `${entry.name} cold-start overhead ≤ 75 ms`,
      value: `${entry.overheadMs} ms`,
      met: entry.overheadMs <= 75,
    })),
    { budget: 'warm handler p50 ≤ 150 µs', value: `${warm.p50Micros} µs`, met: warm.p50Micros <= 150 },
    ...work
      // Creating a scope, or changing what a client copies, costs more by design (README).
      .filter((entry) => !entry.scenario.includes('created') && !entry.scenario.includes('changed'))
      .map((entry) => ({
        budget: `≤ 2 round trips: ${entry.scenario}`,
        value: String(entry.roundTrips),
        met: entry.roundTrips <= 2 && entry.status === 200,
      })),
    {
      budget: 'end to end ≤ 1.25 × raw floor at concurrency 10 (mean latency)',
      value: `${atTen?.ratio} ×`,
      met: (atTen?.ratio ?? Infinity) <= 1.25,
    },
    { budget: 'authorizer ≥ 0.8 × raw crypto', value: `${authorizer.ratio} ×`, met: authorizer.ratio >= 0.8 },
  ];

  const lines = [
    '### Bundles',
    '| function | bytes | gzip | AWS SDK | cold start (median) | overhead over bare node | ratio |',
    '|---|---|---|---|---|---|---|',
    ...bundles.map(
      (entry) =>
        `| ${entry.name} | ${entry.bytes} | ${entry.gzipBytes} | ${entry.containsSdk ? 'inside' : 'absent'} | ${cold(entry.name)?.medianMs} ms | ${cold(entry.name)?.overheadMs} ms | ${cold(entry.name)?.ratio} × |`,
    ),
    `| bare \`node -e 0\` | | | | ${coldStarts.bareNodeMs} ms | | |`,
    '',
    '### Warm handler (DynamoDB answered from memory)',
    '| p50 | p99 |',
    '|---|---|',
    `| ${warm.p50Micros} µs | ${warm.p99Micros} µs |`,
    '',
    '### DynamoDB work per update',
    '| update | round trips | read units | write units |',
    '|---|---|---|---|',
    ...work.map((entry) => `| ${entry.scenario} | ${entry.roundTrips} | ${entry.readUnits} | ${entry.writeUnits} |`),
    '',
    '### End to end over local HTTP, beside the raw DynamoDB floor',
    '| concurrency | e2e req/s | e2e p50 | e2e p99 | floor req/s | floor p50 | floor p99 | e2e / floor (mean latency) |',
    '|---|---|---|---|---|---|---|---|',
    ...endToEnd.map(
      (entry) =>
        `| ${entry.concurrency} | ${entry.endToEnd.requestsPerSecond} | ${entry.endToEnd.p50Ms} ms | ${entry.endToEnd.p99Ms} ms | ${entry.floor.requestsPerSecond} | ${entry.floor.p50Ms} ms | ${entry.floor.p99Ms} ms | ${entry.ratio} × |`,
    ),
    '',
    '### Authorizer (RS256, keys cached)',
    '| authorizer verifications/s | raw node:crypto verifications/s | ratio |',
    '|---|---|---|',
    `| ${authorizer.authorizerPerSecond} | ${authorizer.rawCryptoPerSecond} | ${authorizer.ratio} × |`,
    '',
    '### Budgets',
    '| budget | measured | |',
    '|---|---|---|',
    ...budgets.map((entry) => `| ${entry.budget} | ${entry.value} | ${entry.met ? 'met' : 'MISSED'} |`),
  ];
  console.log(lines.join('\n'));

  await mkdir(join(PROJECT_ROOT, 'bench'), { recursive: true });
  const results = {
    date: new Date().toISOString(),
    node: process.version,
    bundles,
    coldStarts,
    warm,
    work,
    endToEnd,
    authorizer,
    budgets,
  };
  await writeFile(join(PROJECT_ROOT, 'bench', 'results.json'), `${JSON.stringify(results, null, 2)}\n`);
  if (values.check && budgets.some((entry) => !entry.met)) process.exitCode = 1;
} finally {
  await rm(outDir, { recursive: true, force: true });
}
