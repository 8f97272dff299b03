/**
 * `npm run bench [-- --check] [--seconds 5] [--cold-runs 21] [--hot-seconds 60] [--out file]
 * [--readme] [--from results.json]`: builds the bundles as the stack deploys them and measures
 * each figure beside a floor doing the same work, in alternating rounds (only ratios within a
 * run are worth comparing on a shared machine). Prints Markdown, writes bench/results.json;
 * with --check, exits 1 when a budget is missed; with --readme, puts the tables in docs/performance.md
 * (the flag kept its name when the tables moved there from the README).
 */

import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { cpus, loadavg, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { PROJECT_ROOT } from '../lib/function-bundling.js';
import { measureAuthorizer } from './bench/authorizer.js';
import { measureBundles, measureColdStarts } from './bench/bundles.js';
import { measureDynamoDbWork } from './bench/dynamodb-work.js';
import { measureEndToEnd } from './bench/end-to-end.js';
import { measureHotClient } from './bench/hot-client.js';
import { measureKeyGeneration } from './bench/key-generation.js';
import { withBenchEngine } from './bench/load.js';
import { type BenchResults, budgetsOf, REPORT_PAGE, renderReport, withReportTables } from './bench/report.js';
import { measureWarmHandler } from './bench/warm-handler.js';
import { startDynalite } from './local/dynamodb-engines.js';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
process.env.POWERTOOLS_LOG_LEVEL ??= 'SILENT';

const { values } = parseArgs({
  options: {
    check: { type: 'boolean', default: false },
    seconds: { type: 'string', default: '5' },
    'cold-runs': { type: 'string', default: '21' },
    'hot-seconds': { type: 'string' },
    out: { type: 'string', default: join(PROJECT_ROOT, 'bench', 'results.json') },
    readme: { type: 'boolean', default: false },
    from: { type: 'string' },
  },
});
const seconds = Number(values.seconds);

const results = values.from ? (JSON.parse(await readFile(values.from, 'utf8')) as BenchResults) : await measure();
const report = renderReport(results);
console.log(report);
if (!values.from) {
  await mkdir(dirname(resolve(values.out)), { recursive: true });
  await writeFile(values.out, `${JSON.stringify(results, null, 2)}\n`);
}
if (values.readme) await writeReportPage(report);
if (values.check && budgetsOf(results).some((entry) => !entry.met)) process.exitCode = 1;

async function measure(): Promise<BenchResults> {
  const [oneMinute, fiveMinutes, fifteenMinutes] = loadavg().map((load) => Math.round(load * 100) / 100);
  const machine = {
    cpus: cpus().length,
    model: cpus()[0]?.model.trim() ?? 'unknown',
    loadAverage: { oneMinute, fiveMinutes, fifteenMinutes },
  };
  const outDir = await mkdtemp(join(tmpdir(), 'bench-bundles-'));
  try {
    const bundles = await measureBundles(outDir);
    const coldStarts = measureColdStarts(bundles, Number(values['cold-runs']));
    const warm = await measureWarmHandler(20_000);
    const engine = await startDynalite();
    const work = await measureDynamoDbWork(engine.endpoint).finally(() => engine.stop());
    const { endToEnd, hotClient } = await withBenchEngine(async (benchEngine) => ({
      endToEnd: await measureEndToEnd(benchEngine, seconds, [1, 10]),
      hotClient: await measureHotClient(benchEngine, Number(values['hot-seconds'] ?? 12 * seconds)),
    }));
    const authorizer = await measureAuthorizer(2 * seconds + 1);
    const keyGeneration = await measureKeyGeneration(seconds);
    return {
      date: new Date().toISOString(),
      node: process.version,
      machine,
      // The files were temporary: their names mean nothing after the run.
      bundles: bundles.map(({ file: _file, sdkFloor: _sdkFloor, ...figures }) => figures),
      coldStarts,
      warm,
      work,
      endToEnd,
      hotClient,
      authorizer,
      keyGeneration,
    };
  } finally {
    await rm(outDir, { recursive: true, force: true });
  }
}

/** Replaces the generated block of docs/performance.md (between the bench markers) with this run's tables. */
async function writeReportPage(tables: string): Promise<void> {
  const path = join(PROJECT_ROOT, REPORT_PAGE);
  await writeFile(path, withReportTables(await readFile(path, 'utf8'), tables));
}
