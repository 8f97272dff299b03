import { execFile, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PROJECT_ROOT } from '../../lib/function-bundling.js';
import { type RunningServer, startServer } from './local-server.js';

const run = promisify(execFile);
const TOUR_HEADING = '## A five-minute tour';
/** Where the README's commands send their requests: the address `npm start` listens on by default. */
const README_API = 'http://127.0.0.1:3000';
const BLOCK_END = '--- end of a README block ---';
/** The tour pipes answers through jq: CI installs it (.ci/run); elsewhere the tour runs where it is. */
const jqAvailable = spawnSync('jq', ['--version']).status === 0;

interface TourStep {
  commands: string;
  /** What the commands print, as the README shows it: the code block right after them, or nothing. */
  answer: string;
}

/** The tour's shell blocks, each with the answer block that follows it. */
function tourSteps(readme: string): TourStep[] {
  const start = readme.indexOf(TOUR_HEADING);
  if (start === -1) throw new Error(`README.md has no "${TOUR_HEADING}" section`);
  const end = readme.indexOf('\n## ', start + TOUR_HEADING.length);
  const section = readme.slice(start, end === -1 ? undefined : end);
  const blocks = [...section.matchAll(/^```(\w*)\n([\s\S]*?)^```$/gm)].map(([, language, text]) => ({
    language: language as string,
    text: text as string,
  }));
  const steps: TourStep[] = [];
  blocks.forEach((block, index) => {
    if (block.language !== 'sh') return;
    const next = blocks[index + 1];
    steps.push({ commands: block.text, answer: next && next.language !== 'sh' ? next.text : '' });
  });
  return steps;
}

describe.runIf(jqAvailable)("the README's tour", () => {
  let server: RunningServer;
  beforeAll(async () => {
    server = await startServer();
  });
  afterAll(async () => {
    await server?.stop();
  });

  it('prints, command by command, the answers the README shows, against a fresh npm start', async () => {
    const steps = tourSteps(readFileSync(join(PROJECT_ROOT, 'README.md'), 'utf8'));
    const script = steps
      .map((step) => `${step.commands.replaceAll(README_API, server.url)}echo '${BLOCK_END}'\n`)
      .join('');

    const { stdout } = await run('bash', ['-c', script], {
      cwd: PROJECT_ROOT,
      env: { PATH: process.env.PATH, HOME: process.env.HOME },
    });

    expect(steps.length).toBeGreaterThanOrEqual(5);
    expect(stdout.split(`${BLOCK_END}\n`).slice(0, -1)).toEqual(steps.map((step) => step.answer));
  });
});

describe('the reading of the tour', () => {
  it('pairs each shell block with the answer block right after it, and expects nothing after the others', () => {
    const readme = [
      '# Title',
      '```sh',
      'npm ci',
      '```',
      TOUR_HEADING,
      '```sh',
      'TOKEN=x',
      '```',
      'Then:',
      '```sh',
      'echo 1',
      '```',
      '```json',
      '1',
      '```',
      '## Deploy',
      '```sh',
      'npx cdk deploy',
      '```',
    ].join('\n');

    expect(tourSteps(readme)).toEqual([
      { commands: 'TOKEN=x\n', answer: '' },
      { commands: 'echo 1\n', answer: '1\n' },
    ]);
  });
});
