import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PROJECT_ROOT } from '../../lib/function-bundling.js';
import { devToken, type RunningServer, startServer } from './local-server.js';

const run = promisify(execFile);

/** `npm run smoke` as a user runs it after a deploy: its lines and exit code. */
async function smoke(args: string[]): Promise<{ code: number; lines: string[] }> {
  try {
    const { stdout } = await run('npm', ['--silent', 'run', 'smoke', '--', ...args], {
      cwd: PROJECT_ROOT,
      env: { PATH: process.env.PATH, HOME: process.env.HOME },
    });
    return { code: 0, lines: stdout.trim().split('\n') };
  } catch (error) {
    const failed = error as { code: number; stdout: string };
    return { code: failed.code, lines: failed.stdout.trim().split('\n') };
  }
}

describe('npm run smoke against the local server', () => {
  let server: RunningServer;
  let token: string;
  let reader: string;

  beforeAll(async () => {
    [server, token, reader] = await Promise.all([startServer(), devToken(), devToken(['--scope', 'openid'])]);
  }, 60_000);
  afterAll(async () => {
    await server?.stop();
  });

  it('passes every check, one line each, and leaves no client behind', async () => {
    const before = await (
      await fetch(`${server.url}/api/clients`, { headers: { Authorization: `Bearer ${token}` } })
    ).json();

    const result = await smoke(['--url', server.url, '--token', token, '--forbidden-token', reader]);

    const after = await (
      await fetch(`${server.url}/api/clients`, { headers: { Authorization: `Bearer ${token}` } })
    ).json();
    expect(result.lines).toEqual(
      [
        'ok   401 without a token, with WWW-Authenticate',
        'ok   401 with a token that is not one, with WWW-Authenticate invalid_token',
        'ok   403 for a token without the scope, with WWW-Authenticate insufficient_scope',
        'ok   404 for an unknown route',
        'ok   405 with Allow for a method the resource lacks',
        'ok   405 with Allow for a method the resource lacks, with a body of text/plain',
        'ok   405 with Allow for a method the resource lacks, with a body of application/merge-patch+json',
        'ok   405 with Allow for a method the resource lacks, with a body of application/json; charset=utf-8',
        'ok   415 for a method the resource lacks, with a body of a type no template maps',
        'ok   an identity provider for the temporary client, from the first client listed',
        'ok   create a temporary client: 201, Location, ETag, a secret, no private key',
        'ok   show it at its Location',
        'ok   show it with a trailing slash',
        'ok   list api/clients: it is there, no private key',
        'ok   list api/clients/: it is there, no private key',
        'ok   update without If-Match: 200, the next version',
        'ok   update with a stale If-Match: 412, nothing written',
        'ok   update with the current If-Match: 200',
        'ok   422 names the failing field and echoes no secret',
        'ok   delete the temporary client: 204, then 404',
        'Smoke test passed.',
      ].map((line) => (line.startsWith('422') ? `ok   ${line}` : line)),
    );
    expect(result.code).toBe(0);
    expect(after).toEqual(before);
    expect(result.lines.join('\n')).not.toContain(token);
  }, 60_000);

  it('fails, naming each failed check, and exits 1, when the token lacks the scope', async () => {
    const result = await smoke(['--url', `${server.url}/`, '--token', reader]);

    expect(result.code).toBe(1);
    expect(result.lines).toContain(
      'FAIL an identity provider for the temporary client, from the first client listed: status 403, expected 200: {"code":"FORBIDDEN","message":"You are forbidden to access this resource.","errors":{"resource":["you are forbidden to access this resource."]}}',
    );
    expect(result.lines.at(-1)).toMatch(/^Smoke test failed: \d+ check\(s\)\.$/);
  }, 60_000);

  it('refuses to run without a URL and a token', async () => {
    const result = await smoke(['--url', server.url]);

    expect(result.code).toBe(2);
  });
});
