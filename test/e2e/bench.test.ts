import { spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { expect, it } from 'vitest';
import { PROJECT_ROOT } from '../../lib/function-bundling.js';

/** The processes of a process group, as `pid (name) state` lines, read from /proc (no procps needed). */
function processesInGroup(group: number): string[] {
  return readdirSync('/proc')
    .filter((entry) => /^\d+$/.test(entry))
    .flatMap((pid) => {
      try {
        // pid (comm) state ppid pgrp ...: comm may hold spaces and parentheses, so split after the last ')'.
        const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
        const [state, , pgrp] = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
        return Number(pgrp) === group ? [`${stat.slice(0, stat.lastIndexOf(')') + 1)} ${state}`] : [];
      } catch {
        return []; // ended while being read
      }
    });
}

/**
 * What is still in the group once the helpers that end with their parent (esbuild's service
 * processes, which read until their parent's pipe closes) have ended and been reaped.
 */
async function processesLeftIn(group: number): Promise<string[]> {
  for (let poll = 0; poll < 50 && processesInGroup(group).length > 0; poll += 1) await sleep(100);
  return processesInGroup(group);
}

it('npm run bench, its shortest run without a terminal, prints its tables, exits 0 and leaves no process behind', async () => {
  const folder = await mkdtemp(join(tmpdir(), 'bench-test-'));
  const results = join(folder, 'results.json');
  // A process group of its own: every process the run starts, at any depth, can be found after.
  const run = spawn(
    'npm',
    ['run', '--silent', 'bench', '--', '--seconds', '1', '--cold-runs', '3', '--hot-seconds', '2', '--out', results],
    {
      cwd: PROJECT_ROOT,
      env: { PATH: process.env.PATH, HOME: process.env.HOME },
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    },
  );
  const group = run.pid as number;
  let output = '';
  run.stdout.on('data', (chunk) => {
    output += chunk;
  });
  run.stderr.on('data', (chunk) => {
    output += chunk;
  });
  try {
    const code = await new Promise((resolve) => run.once('exit', resolve));

    expect(code, output).toBe(0);
    expect(await processesLeftIn(group)).toEqual([]);
    expect(output).toContain('#### Budgets');
    const written = JSON.parse(await readFile(results, 'utf8'));
    expect(written.hotClient.hot).toMatchObject({ connections: 10, clients: 1 });
    expect(written.endToEnd.map((figures: { concurrency: number }) => figures.concurrency)).toEqual([1, 10]);
  } finally {
    if (processesInGroup(group).length > 0) process.kill(-group, 'SIGKILL');
    await rm(folder, { recursive: true, force: true });
  }
}, 300_000);
