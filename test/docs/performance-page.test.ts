import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { type BenchResults, REPORT_PAGE, renderReport, withReportTables } from '../../bin/bench/report.js';
import { PROJECT_ROOT } from '../../lib/function-bundling.js';

it('shows the tables of the latest bench run, bench/results.json, as `npm run bench -- --readme` writes them', () => {
  const page = readFileSync(join(PROJECT_ROOT, REPORT_PAGE), 'utf8');
  const results = JSON.parse(readFileSync(join(PROJECT_ROOT, 'bench', 'results.json'), 'utf8')) as BenchResults;

  expect(page).toBe(withReportTables(page, renderReport(results)));
});
