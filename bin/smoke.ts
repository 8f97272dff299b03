/**
 * `npm run smoke -- --url <ApiUrl> --token <token> [--forbidden-token <token>] [--identity-provider <id>]`:
 * checks a running API end to end (deployed, or `npm start`) with a temporary client it creates
 * and deletes. One line a check (`ok ...` or `FAIL ...: why`); exit 1 when any fails, 2 on bad
 * arguments. Prints no token and no secret.
 */
import { randomUUID } from 'node:crypto';
import { parseArgs } from 'node:util';
import {
  insufficientScope,
  methodNotAllowed,
  notFound,
  preconditionFailed,
  unauthorized,
  unsupportedMediaType,
} from '../lambda/http/http-error.js';

interface Answer {
  status: number;
  headers: Headers;
  text: string;
  json: Record<string, unknown> | undefined;
}

class CheckFailed extends Error {}

// The bodies this code base answers with, deployed as locally.
const UNAUTHORIZED = unauthorized(true).toBody();
const FORBIDDEN = insufficientScope('').toBody();
const NOT_FOUND = notFound().toBody();
const METHOD_NOT_ALLOWED = methodNotAllowed([]).toBody();
const PRECONDITION_FAILED = preconditionFailed().toBody();
const UNSUPPORTED_MEDIA_TYPE = unsupportedMediaType().toBody();

function expectThat(condition: boolean, why: string): void {
  if (!condition) throw new CheckFailed(why);
}

function expectStatus(answer: Answer, status: number): void {
  expectThat(answer.status === status, `status ${answer.status}, expected ${status}: ${answer.text.slice(0, 200)}`);
}

function expectBody(answer: Answer, body: unknown): void {
  expectThat(JSON.stringify(answer.json) === JSON.stringify(body), `body ${answer.text.slice(0, 200)}`);
}

/** No answer may carry a private key, whatever its status. */
function expectNoPrivateKey(answer: Answer): void {
  expectThat(!/private_key|PRIVATE KEY/.test(answer.text), 'the answer carries a private key');
}

let parsed: ReturnType<typeof parseOptions>;
function parseOptions() {
  const { values } = parseArgs({
    options: {
      url: { type: 'string' },
      token: { type: 'string' },
      'forbidden-token': { type: 'string' },
      'identity-provider': { type: 'string' },
    },
    strict: true,
  });
  if (!values.url || !values.token) throw new Error('usage: npm run smoke -- --url <ApiUrl> --token <token>');
  return values as typeof values & { url: string; token: string };
}
try {
  parsed = parseOptions();
} catch (error) {
  console.error(`error: ${(error as Error).message.split('\n')[0]}`);
  process.exit(2);
}
const options = parsed;
// ApiUrl ends with the stage and a slash; the local server's URL has neither.
const base = options.url.endsWith('/') ? options.url : `${options.url}/`;

async function call(
  path: string,
  {
    method = 'GET',
    token = options.token as string | null,
    body,
    headers = {},
  }: {
    method?: string;
    /** null: no Authorization header. */
    token?: string | null;
    body?: unknown;
    headers?: Record<string, string>;
  } = {},
): Promise<Answer> {
  const response = await fetch(new URL(path, base), {
    method,
    headers: {
      ...(token && { Authorization: `Bearer ${token}` }),
      ...(body !== undefined && { 'Content-Type': 'application/json' }),
      ...headers,
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  let json: Record<string, unknown> | undefined;
  try {
    json = text ? JSON.parse(text) : undefined;
  } catch {
    json = undefined;
  }
  return { status: response.status, headers: response.headers, text, json };
}

let failures = 0;
async function check(name: string, run: () => Promise<void>): Promise<boolean> {
  try {
    await run();
    console.log(`ok   ${name}`);
    return true;
  } catch (error) {
    failures += 1;
    const why = error instanceof CheckFailed ? error.message : `${(error as Error).name}: ${(error as Error).message}`;
    console.log(`FAIL ${name}: ${why}`);
    return false;
  }
}

const unknownId = randomUUID();

await check('401 without a token, with WWW-Authenticate', async () => {
  const answer = await call(`api/clients/${unknownId}`, { token: null });
  expectStatus(answer, 401);
  expectBody(answer, UNAUTHORIZED);
  expectThat(answer.headers.get('www-authenticate')?.startsWith('Bearer') === true, 'no WWW-Authenticate: Bearer');
});

await check('401 with a token that is not one, with WWW-Authenticate invalid_token', async () => {
  const answer = await call(`api/clients/${unknownId}`, { token: 'not.a.token' });
  expectStatus(answer, 401);
  expectBody(answer, UNAUTHORIZED);
  expectThat(answer.headers.get('www-authenticate') === 'Bearer error="invalid_token"', 'WWW-Authenticate');
});

if (options['forbidden-token']) {
  await check('403 for a token without the scope, with WWW-Authenticate insufficient_scope', async () => {
    const answer = await call(`api/clients/${unknownId}`, { token: options['forbidden-token'] });
    expectStatus(answer, 403);
    expectBody(answer, FORBIDDEN);
    expectThat(
      answer.headers.get('www-authenticate')?.startsWith('Bearer error="insufficient_scope", scope="') === true,
      `WWW-Authenticate ${answer.headers.get('www-authenticate')}`,
    );
  });
} else {
  console.log('skip 403 for a token without the scope (give --forbidden-token)');
}

await check('404 for an unknown route', async () => {
  const answer = await call('api/no-such-route');
  expectStatus(answer, 404);
  expectBody(answer, NOT_FOUND);
});

await check('405 with Allow for a method the resource lacks', async () => {
  const answer = await call('api/clients', { method: 'DELETE' });
  expectStatus(answer, 405);
  expectBody(answer, METHOD_NOT_ALLOWED);
  expectThat(answer.headers.get('allow') === 'GET, POST', `Allow: ${answer.headers.get('allow')}`);
});

// API Gateway picks the MOCK's request template by Content-Type: a type without one used to pass
// through and answer 500.
for (const type of ['text/plain', 'application/merge-patch+json', 'application/json; charset=utf-8']) {
  await check(`405 with Allow for a method the resource lacks, with a body of ${type}`, async () => {
    const answer = await call('api/clients', { method: 'DELETE', headers: { 'Content-Type': type }, body: {} });
    expectStatus(answer, 405);
    expectBody(answer, METHOD_NOT_ALLOWED);
  });
}

await check('415 for a method the resource lacks, with a body of a type no template maps', async () => {
  const answer = await call('api/clients', { method: 'DELETE', headers: { 'Content-Type': 'image/png' }, body: {} });
  expectStatus(answer, 415);
  expectBody(answer, UNSUPPORTED_MEDIA_TYPE);
});

let identityProvider = options['identity-provider'];
if (!identityProvider) {
  await check('an identity provider for the temporary client, from the first client listed', async () => {
    const answer = await call('api/clients?limit=1');
    expectStatus(answer, 200);
    const [first] = (answer.json?.data ?? []) as { identity_provider?: { id?: string } }[];
    identityProvider = first?.identity_provider?.id;
    expectThat(Boolean(identityProvider), 'no client to take one from: give --identity-provider <id>');
  });
}

let location: string | null = null;
let clientId: string | undefined;
let version = '';
const marker = `smoke-${randomUUID()}`;
if (identityProvider) {
  await check('create a temporary client: 201, Location, ETag, a secret, no private key', async () => {
    const answer = await call('api/clients', {
      method: 'POST',
      body: { client: { name: marker, identity_provider: { id: identityProvider } } },
    });
    expectStatus(answer, 201);
    expectNoPrivateKey(answer);
    const data = answer.json?.data as { id?: string; name?: string; secret?: unknown } | undefined;
    clientId = data?.id;
    location = answer.headers.get('location');
    version = answer.headers.get('etag') ?? '';
    expectThat(data?.name === marker && typeof data?.secret === 'string', 'the client as created');
    expectThat(location?.endsWith(`/api/clients/${clientId}`) === true, `Location ${location}`);
    expectThat(/^"\d+"$/.test(version), `ETag ${version}`);
  });
}

if (clientId) {
  const id = clientId;
  try {
    await check('show it at its Location', async () => {
      const answer = await call(new URL(location as string, base).href);
      expectStatus(answer, 200);
      expectNoPrivateKey(answer);
      expectThat((answer.json?.data as { id?: string })?.id === id, 'another client');
      expectThat(answer.headers.get('etag') === version, `ETag ${answer.headers.get('etag')}`);
    });

    await check('show it with a trailing slash', async () => {
      const answer = await call(`api/clients/${id}/`);
      expectStatus(answer, 200);
      expectThat((answer.json?.data as { id?: string })?.id === id, 'another client');
    });

    for (const path of ['api/clients', 'api/clients/']) {
      await check(`list ${path}: it is there, no private key`, async () => {
        const answer = await call(path);
        expectStatus(answer, 200);
        expectNoPrivateKey(answer);
        let ids = ((answer.json?.data ?? []) as { id: string }[]).map((client) => client.id);
        // A list past Lambda's answer budget continues at next_cursor.
        for (let cursor = answer.json?.next_cursor; cursor && !ids.includes(id); ) {
          const next = await call(`${path}?cursor=${encodeURIComponent(String(cursor))}`);
          ids = ((next.json?.data ?? []) as { id: string }[]).map((client) => client.id);
          cursor = next.json?.next_cursor;
        }
        expectThat(ids.includes(id), 'the temporary client is not listed');
      });
    }

    await check('update without If-Match: 200, the next version', async () => {
      const answer = await call(`api/clients/${id}`, { method: 'PATCH', body: { client: { pkce: true } } });
      expectStatus(answer, 200);
      expectNoPrivateKey(answer);
      const next = answer.headers.get('etag') ?? '';
      expectThat(Number(next.replaceAll('"', '')) === Number(version.replaceAll('"', '')) + 1, `ETag ${next}`);
      version = next;
    });

    await check('update with a stale If-Match: 412, nothing written', async () => {
      const answer = await call(`api/clients/${id}`, {
        method: 'PUT',
        body: { client: { name: `${marker}-stale` } },
        headers: { 'If-Match': `"${Number(version.replaceAll('"', '')) - 1}"` },
      });
      expectStatus(answer, 412);
      expectBody(answer, PRECONDITION_FAILED);
    });

    await check('update with the current If-Match: 200', async () => {
      const answer = await call(`api/clients/${id}`, {
        method: 'PUT',
        body: { client: { name: `${marker}-renamed` } },
        headers: { 'If-Match': version },
      });
      expectStatus(answer, 200);
      expectThat((answer.json?.data as { name?: string })?.name === `${marker}-renamed`, 'the name');
    });

    await check('422 names the failing field and echoes no secret', async () => {
      const secret = `secret-${randomUUID()}`;
      const answer = await call(`api/clients/${id}`, {
        method: 'PATCH',
        body: { client: { secret, access_token_ttl: 0 } },
      });
      expectStatus(answer, 422);
      expectThat(JSON.stringify(answer.json?.errors) === '{"access_token_ttl":["is invalid"]}', answer.text);
      expectThat(!answer.text.includes(secret), 'the error echoes the secret');
    });
  } finally {
    await check('delete the temporary client: 204, then 404', async () => {
      const deleted = await call(`api/clients/${id}`, { method: 'DELETE' });
      expectStatus(deleted, 204);
      expectStatus(await call(`api/clients/${id}`), 404);
    });
  }
}

console.log(failures === 0 ? 'Smoke test passed.' : `Smoke test failed: ${failures} check(s).`);
process.exitCode = failures === 0 ? 0 : 1;
