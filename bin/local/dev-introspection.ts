import { timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, RequestListener } from 'node:http';
import { type DevIssuer, openOpaqueToken } from './dev-issuer.js';

/** Where `npm start` serves the dev issuer's introspection endpoint, beside the API. */
export const DEV_INTROSPECTION_PATH = '/dev-issuer/introspect';

export interface DevIntrospectionOptions {
  issuer: DevIssuer;
  /** The only client allowed to introspect (the local authorizer). */
  clientId: string;
  clientSecret: string;
}

const MAX_FORM_BYTES = 16 * 1024;

/**
 * The dev issuer's RFC 7662 introspection endpoint, as Boruta's `/oauth/introspect` behaves:
 * `POST` a form with `token`, the client authenticated by HTTP Basic (client_secret_basic) or
 * by `client_id`/`client_secret` in the form (client_secret_post); 401 `invalid_client`
 * otherwise. An opaque token of this issuer that has not expired answers its claims with
 * `"active": true`; anything else `{"active": false}`.
 */
export function createDevIntrospectionEndpoint({
  issuer,
  clientId,
  clientSecret,
}: DevIntrospectionOptions): RequestListener {
  return async (request, response) => {
    const answer = (status: number, body: unknown, headers: Record<string, string> = {}) => {
      response.writeHead(status, { 'Content-Type': 'application/json', 'Cache-Control': 'no-store', ...headers });
      response.end(JSON.stringify(body));
    };
    if (request.method !== 'POST') return answer(405, { error: 'invalid_request' }, { Allow: 'POST' });
    const form = await readForm(request);
    if (!form) return answer(400, { error: 'invalid_request', error_description: 'expected a form under 16 KB' });
    const client = basicCredentials(request.headers.authorization) ?? {
      id: form.get('client_id') ?? '',
      secret: form.get('client_secret') ?? '',
    };
    if (!(sameText(client.id, clientId) && sameText(client.secret, clientSecret))) {
      return answer(401, { error: 'invalid_client' }, { 'WWW-Authenticate': 'Basic realm="dev-issuer"' });
    }
    const token = form.get('token');
    if (!token) return answer(400, { error: 'invalid_request', error_description: 'token is missing' });
    const claims = openOpaqueToken(issuer, token);
    const active = typeof claims?.exp === 'number' && claims.exp * 1000 > Date.now();
    answer(200, active ? { active: true, token_type: 'Bearer', ...claims } : { active: false });
  };
}

async function readForm(request: IncomingMessage): Promise<URLSearchParams | undefined> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request) {
    size += (chunk as Buffer).length;
    if (size > MAX_FORM_BYTES) return undefined;
    chunks.push(chunk as Buffer);
  }
  const type = (request.headers['content-type'] ?? '').split(';')[0]?.trim().toLowerCase();
  return type === 'application/x-www-form-urlencoded'
    ? new URLSearchParams(Buffer.concat(chunks).toString('utf8'))
    : undefined;
}

/** `Basic base64(urlencoded id ":" urlencoded secret)` (RFC 6749 §2.3.1). */
function basicCredentials(header: string | undefined): { id: string; secret: string } | undefined {
  const match = /^Basic ([A-Za-z0-9+/=]+)$/i.exec(header ?? '');
  if (!match) return undefined;
  const decoded = Buffer.from(match[1] as string, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon === -1) return undefined;
  try {
    return { id: decodeForm(decoded.slice(0, colon)), secret: decodeForm(decoded.slice(colon + 1)) };
  } catch {
    return undefined;
  }
}

const decodeForm = (value: string) => decodeURIComponent(value.replaceAll('+', ' '));

function sameText(given: string, expected: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}
