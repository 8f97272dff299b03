import type { APIGatewayProxyEvent } from 'aws-lambda';
import { actorFromAuthorizer, type ChangeOrigin } from '../domain/history-entry.js';
import { canonicalUuid } from '../domain/uuid.js';
import { badRequest, MAX_BODY_BYTES, payloadTooLarge, unsupportedMediaType } from './http-error.js';

/** An API Gateway REST proxy event (format 1.0), decoded once. */
export interface ApiRequest {
  method: string;
  /**
   * The path as the client sent it: API Gateway's `requestContext.path`, which carries the stage
   * (`/v1/api/clients`) or a custom domain's base path that `event.path` lacks.
   */
  path: string;
  /** Header names in lower case; repeated headers joined with ", " (RFC 9110 §5.3). */
  headers: ReadonlyMap<string, string>;
  pathParameters: Readonly<Record<string, string | undefined>>;
  query: Readonly<Record<string, string | undefined>>;
  /** The authorizer's context; absent when no authorizer ran. */
  authorizer: Readonly<Record<string, unknown>> | undefined;
  /** API Gateway's id of the request (`requestContext.requestId`), for the history. */
  requestId: string | undefined;
  /** The caller's address as API Gateway saw it (`requestContext.identity.sourceIp`). */
  sourceIp: string | undefined;
  /** The body as API Gateway passed it: text as it is, a base64-encoded one as its bytes. */
  rawBody: string | Buffer | undefined;
  /** When the function's time runs out (epoch ms), where the runtime says. */
  deadline?: number;
}

export function decodeEvent(event: APIGatewayProxyEvent): ApiRequest {
  const headers = new Map<string, string>();
  for (const [name, values] of Object.entries(event.multiValueHeaders ?? {})) {
    if (values?.length) headers.set(name.toLowerCase(), values.join(', '));
  }
  for (const [name, value] of Object.entries(event.headers ?? {})) {
    if (value !== undefined && !headers.has(name.toLowerCase())) headers.set(name.toLowerCase(), value);
  }
  return {
    method: event.httpMethod.toUpperCase(),
    path: event.requestContext?.path ?? event.path,
    headers,
    pathParameters: event.pathParameters ?? {},
    query: event.queryStringParameters ?? {},
    authorizer: event.requestContext?.authorizer ?? undefined,
    requestId: event.requestContext?.requestId || undefined,
    sourceIp: event.requestContext?.identity?.sourceIp || undefined,
    rawBody:
      event.body === null || event.body === undefined
        ? undefined
        : event.isBase64Encoded
          ? Buffer.from(event.body, 'base64')
          : event.body,
  };
}

/** Who sent the request and from where, as a write's history entry records it. */
export function requestOrigin(request: ApiRequest): ChangeOrigin {
  return {
    actor: actorFromAuthorizer(request.authorizer),
    requestId: request.requestId ?? null,
    sourceIp: request.sourceIp ?? null,
  };
}

/** The path parameter as a canonical UUID, or 400. */
export function uuidPathParameter(request: ApiRequest, name: string): string {
  const id = canonicalUuid(request.pathParameters[name]);
  if (!id) throw badRequest({ [name]: ['is not a valid UUID'] });
  return id;
}

const JSON_MEDIA_TYPE = /^application\/(?:[\w.+-]+\+)?json$/;

/**
 * The request body parsed as JSON: 415 for another media type, 413 when too large, 400 when
 * malformed, not UTF-8, or holding a string that is not well-formed Unicode (a lone surrogate).
 */
export function jsonBody(request: ApiRequest): unknown {
  const [mediaType = '', ...parameters] = (request.headers.get('content-type') ?? '').split(';');
  const charset = parameters
    .map((parameter) => parameter.trim().toLowerCase())
    .find((parameter) => parameter.startsWith('charset='))
    ?.slice('charset='.length)
    .replaceAll('"', '');
  if (!JSON_MEDIA_TYPE.test(mediaType.trim().toLowerCase()) || (charset !== undefined && charset !== 'utf-8')) {
    throw unsupportedMediaType();
  }
  const body = request.rawBody ?? '';
  if ((typeof body === 'string' ? Buffer.byteLength(body) : body.length) > MAX_BODY_BYTES) throw payloadTooLarge();
  let text: string;
  let parsed: unknown;
  try {
    // Text is already decoded (a lone surrogate in it reads as U+FFFD, as its UTF-8 would, and
    // a leading byte order mark goes, as the decoder drops it); only bytes need the strict decode.
    text = typeof body === 'string' ? withoutByteOrderMark(body).toWellFormed() : UTF8.decode(body);
    parsed = JSON.parse(text);
  } catch {
    throw badRequest({ resource: ['request body is not valid JSON'] });
  }
  // The strict decode leaves surrogates only to `\uD800`-`\uDFFF` escapes, so most bodies skip the walk.
  if (SURROGATE_ESCAPE.test(text) && !everyStringWellFormed(parsed)) {
    throw badRequest({ resource: ['request body holds a string that is not valid Unicode (a lone surrogate)'] });
  }
  return parsed;
}

const SURROGATE_ESCAPE = /\\u[dD][89a-fA-F]/;

function withoutByteOrderMark(text: string): string {
  return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
}
/** Strict: a body that is not UTF-8 is refused, not patched with U+FFFD. Created once, reused. */
const UTF8 = new TextDecoder('utf-8', { fatal: true });

/**
 * Whether every string of a parsed body, object keys included, is well-formed Unicode. JSON's
 * grammar lets `"\ud800"` through (RFC 8259 §8.2: what software does with it is unpredictable;
 * I-JSON, RFC 7493 §2.1, forbids it), but DynamoDB stores strings as UTF-8, which cannot encode a
 * lone surrogate, and an answer carrying one is not UTF-8 either. Iterative: a body may nest
 * deeper than the call stack.
 */
function everyStringWellFormed(value: unknown): boolean {
  const pending: unknown[] = [value];
  while (pending.length > 0) {
    const next = pending.pop();
    if (typeof next === 'string') {
      if (!next.isWellFormed()) return false;
    } else if (Array.isArray(next)) {
      for (const item of next) pending.push(item);
    } else if (typeof next === 'object' && next !== null) {
      for (const [key, item] of Object.entries(next)) {
        if (!key.isWellFormed()) return false;
        pending.push(item);
      }
    }
  }
  return true;
}
