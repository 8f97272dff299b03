import { type ChildProcess, spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { PROJECT_ROOT } from '../../lib/function-bundling.js';

export interface NodeProcess {
  child: ChildProcess;
  /** The line of output that said the process was ready. */
  readyLine: string;
  /** SIGTERM, then SIGKILL if it lingers; resolves once it has exited and its output is read. */
  stop(): Promise<void>;
}

export interface NodeProcessOptions {
  /** Added to a minimal environment (PATH, HOME); the parent's is not inherited. */
  env?: Record<string, string>;
  /** A line of standard output that says the process is ready. */
  ready: RegExp;
  /** Sees every line of standard output, the ready line included. */
  onLine?: (line: string) => void;
}

const STOP_GRACE_MS = 10_000;
const running = new Set<ChildProcess>();
let exitHooksInstalled = false;

/**
 * A script in a child Node.js process, run by this very `node` (TypeScript through tsx's
 * loader): no wrapper such as npx or the tsx CLI stands between, so a signal reaches the
 * process that must handle it, and nothing outlives the stop. Children still running when
 * this process exits, or is interrupted, are killed.
 */
export async function startNodeProcess(script: string, args: string[], options: NodeProcessOptions) {
  const loader = script.endsWith('.ts') ? ['--import', 'tsx'] : [];
  const child = spawn(process.execPath, [...loader, script, ...args], {
    cwd: PROJECT_ROOT,
    env: {
      PATH: process.env.PATH ?? '',
      HOME: process.env.HOME ?? '',
      AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
      ...options.env,
    },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  track(child);
  // 'close' comes after 'exit' once its output is read to the end: no line is lost.
  const exited = new Promise<void>((resolve) => child.once('close', () => resolve()));
  const stop = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return exited;
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), STOP_GRACE_MS);
    await exited;
    clearTimeout(timer);
  };
  try {
    const readyLine = await new Promise<string>((resolve, reject) => {
      createInterface({ input: child.stdout as NodeJS.ReadableStream }).on('line', (line) => {
        options.onLine?.(line);
        if (options.ready.test(line)) resolve(line);
      });
      child.once('error', reject);
      child.once('exit', (code, signal) =>
        reject(new Error(`${script} exited (${signal ?? code}) before it was ready`)),
      );
    });
    return { child, readyLine, stop } satisfies NodeProcess;
  } catch (error) {
    await stop();
    throw error;
  }
}

/**
 * `npm start` as a child process, with stage throttling off (a benchmark measures the code,
 * not the stage's limit); resolves with its URL once it listens.
 */
export async function startLocalServerProcess(
  args: string[],
  options: Omit<NodeProcessOptions, 'ready'> = {},
): Promise<NodeProcess & { url: string }> {
  const server = await startNodeProcess('bin/local-server.ts', args, {
    ...options,
    env: { THROTTLE: 'off', ...options.env },
    ready: /^Listening on /,
  });
  return { ...server, url: server.readyLine.replace('Listening on ', '') };
}

function track(child: ChildProcess): void {
  if (!exitHooksInstalled) {
    exitHooksInstalled = true;
    process.on('exit', () => {
      for (const leftover of running) leftover.kill('SIGKILL');
    });
    // Without these, a signal would end this process without its 'exit' event.
    for (const signal of ['SIGINT', 'SIGTERM'] as const) {
      process.once(signal, () => process.exit(signal === 'SIGINT' ? 130 : 143));
    }
  }
  running.add(child);
  child.once('exit', () => running.delete(child));
}
