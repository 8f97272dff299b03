import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { expect, it } from 'vitest';
import { PROJECT_ROOT } from '../../lib/function-bundling.js';

const run = promisify(execFile);

it('npm run soak drives the local server and finds no lost update, no 5xx and no 409 among writers of different fields', async () => {
  const { stdout } = await run('npm', ['--silent', 'run', 'soak', '--', '--duration', '2', '--connections', '8'], {
    cwd: PROJECT_ROOT,
    env: { PATH: process.env.PATH, HOME: process.env.HOME },
  });

  expect(stdout).toMatch(/^\| \d+ \| \d+ \| \d+ \| \d+ \| [1-9]\d* \|( \d+ \|){3} 0 \| 0 \| 0 \| \d+ \| [\d.]+ \|$/m);
  expect(stdout.trim().split('\n').at(-1)).toBe('Verdict: 0 lost updates, 0 5xx, 0 409s, 0 connection errors: PASS');
}, 60_000);
