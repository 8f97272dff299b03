import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { promisify } from 'node:util';
import { PROJECT_ROOT } from '../../lib/function-bundling.js';

const run = promisify(execFile);

export interface RunningServer {
  url: string;
  lines: string[];
  process: ChildProcess;
  /** SIGTERM, then whether the server said it closed everything before it exited. */
  stop(): Promise<'stopped cleanly' | string>;
}

const ENVIRONMENT = {
  PATH: process.env.PATH,
  HOME: process.env.HOME,
  POWERTOOLS_LOG_LEVEL: 'SILENT',
};

/** Starts the local server exactly as `npm start` does, on a free port, and waits for its URL. */
export async function startServer(
  args: string[] = [],
  environment: Record<string, string> = {},
): Promise<RunningServer & { stderr: string[] }> {
  // A process group of its own, signalled whole as a terminal's Ctrl-C does: npm's `sh -c`
  // does not pass a signal sent to npm alone on to the server.
  const child = spawn('npm', ['--silent', 'start', '--', '--port', '0', ...args], {
    cwd: PROJECT_ROOT,
    env: { ...ENVIRONMENT, ...environment },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  const lines: string[] = [];
  const stderr: string[] = [];
  child.stderr?.on('data', (chunk) => stderr.push(String(chunk)));
  const firstLine = await new Promise<string>((resolve, reject) => {
    const reader = createInterface({ input: child.stdout as NodeJS.ReadableStream });
    reader.on('line', (line) => {
      lines.push(line);
      if (lines.length === 1) resolve(line);
    });
    child.once('exit', (code) => reject(new Error(`server exited (${code}): ${stderr.join('')}`)));
  });
  const url = /^Listening on (http:\/\/\S+)$/.exec(firstLine)?.[1];
  if (!url) throw new Error(`unexpected first line: ${firstLine}`);
  // The token and the curl example follow the first line at once.
  await new Promise((resolve) => setTimeout(resolve, 100));
  return {
    url,
    lines,
    stderr,
    process: child,
    stop: async () => {
      if (child.exitCode === null && child.signalCode === null) {
        const exited = new Promise((resolve) => child.once('close', resolve));
        process.kill(-(child.pid as number), 'SIGTERM');
        await exited;
      }
      // npm re-raises the signal on itself once the server has exited, so its exit code says
      // nothing: the server's last line does.
      return lines.at(-1)?.startsWith('Stopped: ') ? 'stopped cleanly' : `last line: ${lines.at(-1)}`;
    },
  };
}

/** Runs the server command to its end: for flags that must make it refuse to start. */
export async function runServerToEnd(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run('npm', ['--silent', 'start', '--', ...args], {
      cwd: PROJECT_ROOT,
      env: ENVIRONMENT,
    });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code: number; stdout: string; stderr: string };
    return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr };
  }
}

/** A token from `npm run token`, as a developer would get it. */
export async function devToken(args: string[] = []): Promise<string> {
  const { stdout } = await run('npm', ['--silent', 'run', 'token', '--', ...args], {
    cwd: PROJECT_ROOT,
    env: ENVIRONMENT,
  });
  return stdout.trim();
}

export interface CallOptions {
  method?: string;
  token?: string;
  /** JSON: an object is serialised, a string sent as it is. */
  body?: string | object;
  headers?: Record<string, string>;
}

/** One request to the running server: its status, headers and JSON body. */
export async function callServer(
  server: RunningServer,
  path: string,
  { method = 'GET', token, body, headers = {} }: CallOptions = {},
) {
  const response = await fetch(`${server.url}${path}`, {
    method,
    headers: {
      ...(token && { Authorization: `Bearer ${token}` }),
      ...(body !== undefined && { 'Content-Type': 'application/json' }),
      ...headers,
    },
    body: typeof body === 'string' ? body : body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  return { status: response.status, headers: response.headers, json: text ? JSON.parse(text) : undefined };
}
