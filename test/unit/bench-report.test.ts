import { describe, expect, it } from 'vitest';
import {
  type BenchResults,
  budgetsOf,
  REPORT_BEGIN,
  REPORT_END,
  REPORT_PAGE,
  renderReport,
  withReportTables,
} from '../../bin/bench/report.js';
import { interleave, ratioOf, spreadOf } from '../../bin/bench/stats.js';

const spread = (median: number, low: number, high: number) => ({ median, low, high, rounds: 5 });
const throughput = (requestsPerSecond: number) => ({ requestsPerSecond, p50Ms: 2, p99Ms: 9 });
const hotLine = (clients: number, conflicts: number) => ({
  connections: 10,
  clients,
  requestsPerSecond: 300,
  p50Ms: 20,
  p99Ms: 80,
  writes: 18_000,
  retriesPerWrite: 4.2,
  conflicts,
});

/** A run that meets every budget, unless `changes` says otherwise. */
function run(changes: Partial<BenchResults> = {}): BenchResults {
  return {
    date: '2026-11-27T00:00:00.000Z',
    node: 'v20.20.2',
    machine: { cpus: 2, model: 'AMD EPYC', loadAverage: { oneMinute: 0.1, fiveMinutes: 0.2, fifteenMinutes: 0.3 } },
    bundles: [
      { name: 'authorizer', bytes: 18_307, gzipBytes: 6_039, containsSdk: false },
      { name: 'update-client', bytes: 267_290, gzipBytes: 87_172, containsSdk: true },
    ],
    coldStarts: {
      bareNodeMs: 40,
      bundles: [
        { name: 'authorizer', medianMs: 52, overheadMs: { median: 12, low: 10, high: 14, rounds: 21 } },
        {
          name: 'update-client',
          medianMs: 118,
          overheadMs: { median: 78, low: 75, high: 81, rounds: 21 },
          sdkFloor: 'DynamoDB',
          overFloorMs: { median: 18, low: 15, high: 21, rounds: 21 },
        },
      ],
      sdkFloors: [{ name: 'DynamoDB', medianMs: 100, overheadMs: { median: 60, low: 58, high: 63, rounds: 21 } }],
    },
    warm: { p50Micros: 25, p99Micros: 118 },
    work: [{ scenario: 'scalar fields only', roundTrips: 2, readUnits: 1, writeUnits: 1, status: 200 }],
    endToEnd: [1, 10].map((concurrency) => ({
      concurrency,
      server: throughput(900),
      httpFloor: throughput(960),
      sdkFloor: throughput(1300),
      overHttpFloor: spread(1.07, 1.04, 1.1),
      overSdkFloor: spread(1.44, 1.4, 1.5),
    })),
    hotClient: { seconds: 60, hot: hotLine(1, 0), spread: hotLine(10, 0) },
    authorizer: {
      authorizerPerSecond: 9_700,
      libraryPerSecond: 10_000,
      rawCryptoPerSecond: 12_500,
      overLibrary: spread(0.97, 0.96, 0.99),
      overRawCrypto: spread(0.78, 0.75, 0.8),
    },
    keyGeneration: {
      functions: [
        { name: 'create-client', timeoutMs: 10_000, memoryMb: 512 },
        { name: 'regenerate-key-pair', timeoutMs: 30_000, memoryMb: 1769 },
      ],
      keyTypes: [{ keyType: 'RSA 4096', samples: 12, p50Ms: 900, maxMs: 3_100 }],
    },
    ...changes,
  };
}

describe('bench budgets', () => {
  it('are all met by a run within them', () => {
    expect(budgetsOf(run()).filter((budget) => !budget.met)).toEqual([]);
  });

  it('judge the median of the per-round ratios and show a miss with its measurement and spread', () => {
    const missed = run({
      endToEnd: run().endToEnd.map((figures) =>
        figures.concurrency === 10 ? { ...figures, overHttpFloor: spread(1.2, 1.1, 1.3) } : figures,
      ),
    });

    const table = renderReport(missed);

    expect(budgetsOf(missed).filter((budget) => !budget.met)).toEqual([
      {
        budget: 'end to end ≤ 1.15 × the node:http floor at concurrency 10',
        means: expect.any(String),
        measured: '1.2 × (IQR 1.1–1.3, 5 rounds)',
        met: false,
      },
    ]);
    expect(table).toMatch(
      /^\| end to end ≤ 1\.15 × the node:http floor at concurrency 10 \| .+ \| 1\.2 × \(IQR 1\.1–1\.3, 5 rounds\) \| \*\*MISSED\*\* \|$/m,
    );
  });

  it('judge the cold start of a function that carries the SDK over its SDK floor, and of the others over bare node', () => {
    const slow = run({
      coldStarts: {
        ...run().coldStarts,
        bundles: run().coldStarts.bundles.map((entry) =>
          entry.name === 'update-client' ? { ...entry, overFloorMs: spread(51, 49, 53) } : entry,
        ),
      },
    });

    expect(budgetsOf(slow).filter((budget) => budget.budget.includes('cold-start'))).toEqual([
      {
        budget: 'authorizer cold-start overhead ≤ 50 ms over bare node',
        means: expect.any(String),
        measured: '12 ms (IQR 10–14, 21 rounds)',
        met: true,
      },
      {
        budget: 'update-client cold-start overhead ≤ 50 ms over its SDK floor (DynamoDB)',
        means: expect.any(String),
        measured: '51 ms (IQR 49–53, 5 rounds)',
        met: false,
      },
    ]);
    expect(renderReport(slow)).toMatch(
      /^\| SDK floor: DynamoDB \(its client alone\) \| .*\| 100 ms \| 60 ms \(IQR 58–63, 21 rounds\) \| +\|$/m,
    );
  });

  it('hold key generation to half the shortest timeout of a function that generates keys', () => {
    const slow = run({
      keyGeneration: {
        ...run().keyGeneration,
        keyTypes: [{ keyType: 'RSA 4096', samples: 12, p50Ms: 900, maxMs: 5_200 }],
      },
    });

    expect(budgetsOf(slow).find((budget) => budget.budget.startsWith('RSA 4096'))).toMatchObject({
      budget: 'RSA 4096 key generation max ≤ 5 s',
      measured: '5.2 s (12 keys)',
      met: false,
    });
  });

  it('count a single 409 of the hot client as a miss', () => {
    const conflicted = run({ hotClient: { seconds: 60, hot: hotLine(1, 1), spread: hotLine(10, 0) } });

    expect(budgetsOf(conflicted).find((budget) => budget.budget.startsWith('hot client'))).toMatchObject({
      budget: 'hot client: 0 409s over 60 s',
      measured: '1 409s, 18000 writes, 4.2 retries per write',
      met: false,
    });
  });
});

describe('bench rounds', () => {
  it('run each line once to warm up, then alternate the order round by round', async () => {
    const calls: string[] = [];
    const line = (name: string) => async () => {
      calls.push(name);
      return calls.length;
    };

    const results = await interleave({ ours: line('ours'), floor: line('floor') }, 3);

    expect(calls).toEqual(['ours', 'floor', 'ours', 'floor', 'floor', 'ours', 'ours', 'floor']);
    expect(results).toEqual({ ours: [3, 6, 7], floor: [4, 5, 8] });
  });

  it('take the ratio within each round before its median and interquartile range', () => {
    expect(ratioOf([10, 30, 20, 40], [10, 10, 10, 10])).toEqual({ median: 2, low: 1, high: 3, rounds: 4 });
    expect(spreadOf([5])).toEqual({ median: 5, low: 5, high: 5, rounds: 1 });
  });
});

describe('the report page', () => {
  it('gets the new tables between its markers, keeping what is around them', () => {
    const page = ['# Performance', 'Before.', REPORT_BEGIN, 'old tables', REPORT_END, 'The plan.'].join('\n');

    expect(withReportTables(page, 'new tables')).toBe(
      ['# Performance', 'Before.', REPORT_BEGIN, 'new tables', REPORT_END, 'The plan.'].join('\n'),
    );
  });

  it('is refused when it has no markers, rather than losing the tables', () => {
    expect(() => withReportTables('# Performance\n', 'tables')).toThrow(`${REPORT_PAGE} has no ${REPORT_BEGIN}`);
  });
});
