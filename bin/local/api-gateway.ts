import { randomUUID } from 'node:crypto';
import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';
import type {
  APIGatewayAuthorizerResult,
  APIGatewayProxyEvent,
  APIGatewayProxyResult,
  APIGatewayTokenAuthorizerEvent,
  Context,
} from 'aws-lambda';
import type { LambdaHandler } from '../../lambda/http/api-handler.js';
import { corsHeaders, preflightHeaders } from '../../lambda/http/cors.js';
import { type RouteScopes, resourceScopes } from '../../lambda/http/route-scopes.js';
import { AUTHORIZER_FUNCTION, INTEGRATION_TIMEOUT_SECONDS, STAGE, type Throttle } from '../../lib/api-routes.js';
import {
  DEFAULT_5XX_BODY,
  type GatewayError,
  gatewayErrors,
  insufficientScopeAnswer,
  methodNotAllowedAnswer,
} from '../../lib/gateway-errors.js';
import { mockMapsContentType } from '../../lib/mock-requests.js';

/** A method of the emulated REST API and the function behind it, with that function's settings. */
export interface GatewayRoute {
  method: string;
  /** The API Gateway resource path, with `{name}` path parameters: `/api/clients/{client_id}`. */
  resource: string;
  handler: LambdaHandler;
  functionName: string;
  memorySize: number;
  timeoutSeconds: number;
  /** The method's own throttle, besides the stage's. */
  throttle?: Throttle;
  /** The scopes that serve the method, as deployed: its resource's 405 MOCK answers 403 to a token without any. */
  scopes: RouteScopes;
}

export interface LocalGatewayOptions {
  routes: GatewayRoute[];
  authorizer: (event: APIGatewayTokenAuthorizerEvent) => Promise<APIGatewayAuthorizerResult>;
  requiredScope: string;
  /** The stage's throttle; absent, nothing is throttled (`--no-throttle`). */
  stageThrottle?: Throttle;
  /** API Gateway's integration timeout (29 s); tests shorten it. */
  integrationTimeoutMs?: number;
  /** Allowed origins (CORS), as the stack's `corsOrigins`: preflights, and the MOCK methods' and gateway responses' headers. */
  corsOrigins?: readonly string[];
  /** Answered to GET without the authorizer, by path: the OpenAPI description, the reference page. */
  publicDocuments?: Record<string, () => PublicDocument>;
}

/** A document the local server answers without a token. */
export interface PublicDocument {
  contentType: string;
  body: string;
  headers?: Record<string, string>;
}

// AWS's limits: API Gateway's request payload, Lambda's synchronous invocation payload (both
// ways; the exact byte count Lambda enforces is not documented beyond "6 MB").
const MAX_PAYLOAD_BYTES = 10 * 1024 * 1024;
const MAX_LAMBDA_PAYLOAD_BYTES = 6 * 1024 * 1024;
const ACCOUNT = '000000000000';

type Answer = GatewayError | APIGatewayProxyResult;

/**
 * An HTTP listener that behaves as the deployed REST API (stage `v1` as if on a custom domain
 * mapped at the root): routing on the raw path as API Gateway does (a trailing slash reaches
 * the same resource; empty and dot segments reach none), the stage's and the methods' throttles,
 * the token authorizer with its result cache, each resource's MOCK method answering 405 for the
 * methods it lacks (403 to a token without any of the resource's scopes, 415 to a Content-Type
 * its request templates do not map), AWS's payload limits, proxy events (format 1.0) for the
 * functions with the authorizer's context, each function's timeout and the integration timeout,
 * the gateway's own error answers as the stack configures them, and with allowed origins CORS as
 * the stack does it: each resource's OPTIONS MOCK method answering preflights without the
 * authorizer, the 405 MOCK methods' headers for an allowed origin, and every gateway response's
 * fixed headers.
 */
export function createLocalGateway(options: LocalGatewayOptions): RequestListener {
  const corsOrigins = options.corsOrigins ?? [];
  const errors = gatewayErrors(options.requiredScope, corsOrigins);
  const integrationTimeoutMs = options.integrationTimeoutMs ?? INTEGRATION_TIMEOUT_SECONDS * 1000;
  const resources = resourcesOf(options.routes);
  const stageBucket = options.stageThrottle && new TokenBucket(options.stageThrottle);
  const methodBuckets = new Map(
    options.routes.flatMap((route) =>
      options.stageThrottle && route.throttle ? [[route, new TokenBucket(route.throttle)] as const] : [],
    ),
  );
  const authorizerCache = new Map<string, { result: APIGatewayAuthorizerResult; expiresAt: number }>();

  async function authorize(token: string, methodArn: string): Promise<APIGatewayAuthorizerResult | GatewayError> {
    const cached = authorizerCache.get(token);
    if (cached && cached.expiresAt > Date.now()) return cached.result;
    const outcome = await withinTimeout(
      options.authorizer({ type: 'TOKEN', authorizationToken: token, methodArn }),
      AUTHORIZER_FUNCTION.timeoutSeconds * 1000,
    );
    if (outcome.status === 'answered') {
      authorizerCache.set(token, {
        result: outcome.value,
        expiresAt: Date.now() + AUTHORIZER_FUNCTION.resultsCacheTtlSeconds * 1000,
      });
      return outcome.value;
    }
    if (outcome.status === 'failed' && outcome.error instanceof Error && outcome.error.message === 'Unauthorized') {
      return errors.UNAUTHORIZED as GatewayError;
    }
    logFunctionError('authorizer', outcome);
    return errors.AUTHORIZER_FAILURE as GatewayError;
  }

  async function invoke(route: GatewayRoute, event: APIGatewayProxyEvent, requestId: string): Promise<Answer> {
    if (eventMayExceedLimit(event) && Buffer.byteLength(JSON.stringify(event)) > MAX_LAMBDA_PAYLOAD_BYTES) {
      // Lambda refuses the invocation (RequestTooLargeException), which API Gateway answers 500.
      return { statusCode: 500, body: DEFAULT_5XX_BODY, headers: {} };
    }
    const functionTimeoutMs = route.timeoutSeconds * 1000;
    const deadline = Date.now() + functionTimeoutMs;
    const running = Promise.resolve().then(() => route.handler(event, lambdaContext(requestId, route, deadline)));
    const outcome = await withinTimeout(running, Math.min(functionTimeoutMs, integrationTimeoutMs));
    // API Gateway stops waiting at its integration timeout, even for a function still running.
    if (outcome.status === 'timed out' && integrationTimeoutMs < functionTimeoutMs) {
      return errors.INTEGRATION_TIMEOUT as GatewayError;
    }
    if (outcome.status !== 'answered') {
      logFunctionError(route.functionName, outcome, requestId);
      return errors.INTEGRATION_FAILURE as GatewayError;
    }
    const result = outcome.value;
    if (
      !isProxyResult(result) ||
      (answerMayExceedLimit(result) && Buffer.byteLength(JSON.stringify(result)) > MAX_LAMBDA_PAYLOAD_BYTES)
    ) {
      // A malformed proxy answer, or one over Lambda's payload limit, is a failed invocation.
      logFunctionError(
        route.functionName,
        { status: 'failed', error: new Error('invalid or oversized answer') },
        requestId,
      );
      return errors.INTEGRATION_FAILURE as GatewayError;
    }
    return result;
  }

  return async (request, response) => {
    const requestId = randomUUID();
    const answer = (result: Answer) => send(response, requestId, result);
    const body = await readBody(request);
    // A client that went away mid-body gets no answer, and no function runs for it.
    if (body === 'aborted') return;
    if (body === 'too large') return answer(errors.REQUEST_TOO_LARGE as GatewayError);

    const { path, query } = splitTarget(request.url ?? '/');
    const method = (request.method ?? 'GET').toUpperCase();
    const document = method === 'GET' ? options.publicDocuments?.[withoutTrailingSlash(path)] : undefined;
    if (document) {
      const { contentType, body: text, headers } = document();
      return answer({ statusCode: 200, headers: { ...headers, 'Content-Type': contentType }, body: text });
    }

    const match = matchResource(resources, path);
    if (match === 'bad parameter') return answer(errors.BAD_REQUEST_PARAMETERS as GatewayError);
    if (!match) return answer(errors.MISSING_AUTHENTICATION_TOKEN as GatewayError);
    const route = match.resource.methods.get(method);
    const methodBucket = route && methodBuckets.get(route);
    if ((stageBucket && !stageBucket.take()) || (methodBucket && !methodBucket.take())) {
      return answer(errors.THROTTLED as GatewayError);
    }
    const origin = request.headers.origin;
    // What only the MOCK methods (preflight, 405) need: worked out on their paths alone.
    const methods = () => [...match.resource.methods.keys()];
    const mockMapsRequest = () => mockMapsContentType(request.headers['content-type']);
    if (method === 'OPTIONS' && corsOrigins.length > 0) {
      if (!mockMapsRequest()) return answer(errors.UNSUPPORTED_MEDIA_TYPE as GatewayError);
      const headers = corsHeaders(origin, corsOrigins, (allowed) => preflightHeaders(allowed, methods()));
      return answer({ statusCode: 204, headers, body: '' });
    }

    const token = request.headers.authorization;
    if (!token) return answer(errors.UNAUTHORIZED as GatewayError);
    const methodArn = `arn:aws:execute-api:local:${ACCOUNT}:local/${STAGE}/${method}${path}`;
    const authorization = await authorize(token, methodArn);
    if ('statusCode' in authorization) return answer(authorization);
    if (authorization.policyDocument.Statement.some((statement) => statement.Effect !== 'Allow')) {
      return answer(errors.ACCESS_DENIED as GatewayError);
    }
    if (!route) {
      if (!mockMapsRequest()) return answer(errors.UNSUPPORTED_MEDIA_TYPE as GatewayError);
      const scopes = resourceScopes([...match.resource.methods.values()].map((method) => method.scopes));
      const held = String(authorization.context?.scope ?? '').split(' ');
      const mock = scopes.accepted.some((scope) => held.includes(scope))
        ? methodNotAllowedAnswer(methods())
        : insufficientScopeAnswer(scopes.challenge);
      return answer({ ...mock, headers: { ...mock.headers, ...corsHeaders(origin, corsOrigins) } });
    }

    const event = proxyEvent({ request, path, query, method, body, requestId, match, authorization });
    answer(await invoke(route, event, requestId));
  };
}

interface Resource {
  segments: string[];
  path: string;
  methods: Map<string, GatewayRoute>;
}

function resourcesOf(routes: GatewayRoute[]): Resource[] {
  const resources = new Map<string, Resource>();
  for (const route of routes) {
    const resource = resources.get(route.resource) ?? {
      segments: route.resource.split('/').slice(1),
      path: route.resource,
      methods: new Map(),
    };
    resource.methods.set(route.method, route);
    resources.set(route.resource, resource);
  }
  return [...resources.values()];
}

/** The raw path and query of a request target: nothing resolved, nothing decoded. */
function splitTarget(target: string): { path: string; query: string } {
  const at = target.indexOf('?');
  return at === -1 ? { path: target, query: '' } : { path: target.slice(0, at), query: target.slice(at + 1) };
}

function withoutTrailingSlash(path: string): string {
  return path.length > 1 && path.endsWith('/') ? path.slice(0, -1) : path;
}

const DOT_SEGMENT = /^\.{1,2}$/;

/**
 * The resource a raw path names, as API Gateway REST routes it: one trailing slash is ignored;
 * an empty segment (`//`), a dot segment (`.`, `..`, even percent-encoded) and anything that is
 * not a path (`//host/...`, backslashes) name no resource. Literal segments compare exactly;
 * path parameters are percent-decoded, so an encoded slash stays inside its segment.
 */
function matchResource(
  resources: Resource[],
  rawPath: string,
): { resource: Resource; pathParameters: Record<string, string> } | 'bad parameter' | undefined {
  if (!rawPath.startsWith('/')) return undefined;
  const segments = withoutTrailingSlash(rawPath).split('/').slice(1);
  if (segments.some((segment) => segment === '' || DOT_SEGMENT.test(segment))) return undefined;
  for (const resource of resources) {
    if (resource.segments.length !== segments.length) continue;
    const pathParameters: Record<string, string> = {};
    let matches = true;
    for (const [index, part] of resource.segments.entries()) {
      const segment = segments[index] as string;
      if (!part.startsWith('{')) {
        matches = part === segment;
      } else {
        let decoded: string;
        try {
          decoded = decodeURIComponent(segment);
        } catch {
          return 'bad parameter';
        }
        if (DOT_SEGMENT.test(decoded)) return undefined;
        pathParameters[part.slice(1, -1)] = decoded;
      }
      if (!matches) break;
    }
    if (matches) return { resource, pathParameters };
  }
  return undefined;
}

/** API Gateway's token bucket: `burstLimit` tokens at most, refilled at `rateLimit` a second. */
class TokenBucket {
  #tokens: number;
  #refilledAt = Date.now();

  constructor(private readonly throttle: Throttle) {
    this.#tokens = throttle.burstLimit;
  }

  take(): boolean {
    const now = Date.now();
    this.#tokens = Math.min(
      this.throttle.burstLimit,
      this.#tokens + ((now - this.#refilledAt) / 1000) * this.throttle.rateLimit,
    );
    this.#refilledAt = now;
    if (this.#tokens < 1) return false;
    this.#tokens -= 1;
    return true;
  }
}

type Outcome<T> = { status: 'answered'; value: T } | { status: 'failed'; error: unknown } | { status: 'timed out' };

/**
 * What a function did within its timeout. Past it, its answer is dropped, as Lambda stops it.
 * A plain timer, cleared on the answer: an aborted signal would build an AbortError per request.
 */
async function withinTimeout<T>(running: Promise<T>, timeoutMs: number): Promise<Outcome<T>> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<Outcome<T>>((resolve) => {
    timer = setTimeout(() => resolve({ status: 'timed out' }), timeoutMs);
  });
  try {
    return await Promise.race([
      running.then(
        (value) => ({ status: 'answered', value }) as const,
        (error: unknown) => ({ status: 'failed', error }) as const,
      ),
      timeout,
    ]);
  } finally {
    clearTimeout(timer);
  }
}

/** As Lambda logs a failed invocation: the error's name and message, nothing of the request. */
function logFunctionError(functionName: string, outcome: Outcome<unknown>, requestId?: string): void {
  const error =
    outcome.status === 'timed out'
      ? 'Task timed out'
      : outcome.status === 'failed'
        ? String(outcome.error instanceof Error ? `${outcome.error.name}: ${outcome.error.message}` : outcome.error)
        : 'unknown';
  console.error(JSON.stringify({ level: 'ERROR', message: 'function failed', functionName, requestId, error }));
}

/*
 * Bounds that spare serializing every event and answer to measure it: JSON.stringify writes at
 * most 6 bytes per UTF-16 unit of a string (`\u0000`), so a body and headers far below Lambda's
 * limit cannot make an invocation pass it. Only those near it are measured exactly.
 */
const EVENT_FIXED_BYTES = 64 * 1024;

/**
 * The event's strings all come from the body, the request's headers, path and query, and the
 * authorizer's context; each of the latter appears at most 4 times.
 */
function eventMayExceedLimit(event: APIGatewayProxyEvent): boolean {
  let headerUnits = event.path.length;
  for (const lists of [event.multiValueHeaders, event.multiValueQueryStringParameters]) {
    for (const [name, values] of Object.entries(lists ?? {})) {
      // One unit more per value: an empty name and value still cost their quotes.
      for (const value of values ?? []) headerUnits += name.length + value.length + 1;
    }
  }
  for (const value of Object.values(event.requestContext.authorizer ?? {})) headerUnits += String(value).length;
  const bodyUnits = event.body?.length ?? 0;
  return 6 * (bodyUnits + 4 * headerUnits) + EVENT_FIXED_BYTES > MAX_LAMBDA_PAYLOAD_BYTES;
}

/** The body at 6 bytes a unit, the rest as serialized, and room for the body's own key. */
function answerMayExceedLimit({ body, ...rest }: APIGatewayProxyResult): boolean {
  return 6 * (body?.length ?? 0) + Buffer.byteLength(JSON.stringify(rest)) + 16 > MAX_LAMBDA_PAYLOAD_BYTES;
}

function isProxyResult(result: unknown): result is APIGatewayProxyResult {
  return (
    typeof result === 'object' &&
    result !== null &&
    Number.isInteger((result as APIGatewayProxyResult).statusCode) &&
    ['string', 'undefined'].includes(typeof (result as APIGatewayProxyResult).body)
  );
}

/**
 * The whole body; 'too large' as soon as it passes API Gateway's limit (the rest is not read);
 * 'aborted' when the client goes away before its end, which must not stop the server.
 */
function readBody(request: IncomingMessage): Promise<Buffer | 'too large' | 'aborted'> {
  // Listeners rather than an async iterator: the iterator's promise per chunk, on every request.
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size <= MAX_PAYLOAD_BYTES) return void chunks.push(chunk);
      request.off('data', onData).pause();
      resolve('too large');
    };
    request
      .on('data', onData)
      .once('end', () => resolve(Buffer.concat(chunks)))
      .once('error', () => resolve('aborted'));
  });
}

function proxyEvent({
  request,
  path,
  query,
  method,
  body,
  requestId,
  match,
  authorization,
}: {
  request: IncomingMessage;
  path: string;
  query: string;
  method: string;
  body: Buffer;
  requestId: string;
  match: { resource: Resource; pathParameters: Record<string, string> };
  authorization: APIGatewayAuthorizerResult;
}): APIGatewayProxyEvent {
  const headers = grouped(request.rawHeaders) ?? { all: {}, last: {} };
  const queryParameters = query === '' ? undefined : grouped([...new URLSearchParams(query)].flat());
  return {
    resource: match.resource.path,
    // As on a custom domain mapped at the root: the path as sent, trailing slash included.
    path,
    httpMethod: method,
    headers: headers.last,
    multiValueHeaders: headers.all,
    queryStringParameters: queryParameters?.last ?? null,
    multiValueQueryStringParameters: queryParameters?.all ?? null,
    pathParameters: match.pathParameters,
    stageVariables: null,
    // Without binary media types, API Gateway hands the body over as UTF-8 text: bytes that
    // are not UTF-8 arrive as U+FFFD, never base64-encoded.
    body: body.length === 0 ? null : body.toString('utf8'),
    isBase64Encoded: false,
    requestContext: {
      accountId: ACCOUNT,
      apiId: 'local',
      authorizer: {
        principalId: authorization.principalId,
        // API Gateway hands the context to proxy integrations as strings.
        ...Object.fromEntries(Object.entries(authorization.context ?? {}).map(([key, value]) => [key, String(value)])),
      },
      httpMethod: method,
      identity: {
        accessKey: null,
        accountId: null,
        apiKey: null,
        apiKeyId: null,
        caller: null,
        clientCert: null,
        cognitoAuthenticationProvider: null,
        cognitoAuthenticationType: null,
        cognitoIdentityId: null,
        cognitoIdentityPoolId: null,
        principalOrgId: null,
        sourceIp: request.socket.remoteAddress ?? '127.0.0.1',
        user: null,
        userAgent: request.headers['user-agent'] ?? null,
        userArn: null,
      },
      // The path the client sent, with whatever base path leads to the API (none locally).
      path,
      protocol: `HTTP/${request.httpVersion}`,
      requestId,
      requestTimeEpoch: Date.now(),
      resourceId: 'local',
      resourcePath: match.resource.path,
      stage: STAGE,
    },
  };
}

/**
 * Names and values, alternating (as Node's rawHeaders), grouped as API Gateway hands them over:
 * every value of a name in order, and the last one alone. A hostile name such as `__proto__`
 * stays a plain key. Undefined when there are none.
 */
function grouped(
  namesAndValues: string[],
): { all: Record<string, string[]>; last: Record<string, string> } | undefined {
  if (namesAndValues.length === 0) return undefined;
  const all: Record<string, string[]> = {};
  const last: Record<string, string> = {};
  for (let index = 0; index < namesAndValues.length; index += 2) {
    const [name, value] = [namesAndValues[index] as string, namesAndValues[index + 1] as string];
    const values = Object.hasOwn(all, name) ? all[name] : undefined;
    if (values) values.push(value);
    else setOwn(all, name, [value]);
    setOwn(last, name, value);
  }
  return { all, last };
}

/** An own data property, even for `__proto__`, whose assignment would set the prototype. */
function setOwn<T>(target: Record<string, T>, name: string, value: T): void {
  if (name === '__proto__')
    Object.defineProperty(target, name, { value, enumerable: true, writable: true, configurable: true });
  else target[name] = value;
}

function lambdaContext(requestId: string, route: GatewayRoute, deadline: number): Context {
  return {
    callbackWaitsForEmptyEventLoop: true,
    functionName: route.functionName,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:local:${ACCOUNT}:function:${route.functionName}`,
    memoryLimitInMB: String(route.memorySize),
    awsRequestId: requestId,
    logGroupName: `/aws/lambda/${route.functionName}`,
    logStreamName: 'local',
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
    done: ignored,
    fail: ignored,
    succeed: ignored,
  };
}

/** The context's callbacks of the old callback style, which async handlers never call. */
function ignored(): void {}

function send(response: ServerResponse, requestId: string, answer: Answer): void {
  const result: APIGatewayProxyResult =
    typeof answer.body === 'object'
      ? {
          statusCode: answer.statusCode,
          headers: { 'Content-Type': 'application/json', ...answer.headers },
          body: JSON.stringify(answer.body),
        }
      : (answer as APIGatewayProxyResult);
  const headers: Record<string, string | string[]> = { 'x-amzn-RequestId': requestId };
  for (const [name, value] of Object.entries(result.headers ?? {})) headers[name] = String(value);
  for (const [name, values] of Object.entries(result.multiValueHeaders ?? {})) headers[name] = values.map(String);
  // Text goes out as a string, which Node writes with the head in one write; bytes as a Buffer.
  const body = result.isBase64Encoded ? Buffer.from(result.body ?? '', 'base64') : (result.body ?? '');
  headers['Content-Length'] = String(Buffer.byteLength(body));
  response.writeHead(result.statusCode, headers);
  response.end(body);
}
