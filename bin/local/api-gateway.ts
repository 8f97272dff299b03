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
import { type GatewayError, gatewayErrors } from '../../lib/gateway-errors.js';

export interface GatewayRoute {
  method: string;
  /** The API Gateway resource path, with `{name}` path parameters: `/api/clients/{client_id}`. */
  resource: string;
  handler: LambdaHandler;
}

export interface LocalGatewayOptions {
  routes: GatewayRoute[];
  authorizer: (event: APIGatewayTokenAuthorizerEvent) => Promise<APIGatewayAuthorizerResult>;
  requiredScope: string;
  /** Answered without the authorizer, as documents (the OpenAPI description). */
  publicDocuments?: Record<string, () => unknown>;
}

// What the stack configures: API Gateway's payload limit, the authorizer's result cache.
const MAX_PAYLOAD_BYTES = 10 * 1024 * 1024;
const AUTHORIZER_CACHE_TTL_MS = 300_000;
const STAGE = 'v1';
const ACCOUNT = '000000000000';

/**
 * An HTTP listener that behaves as the deployed REST API: route matching, the token authorizer
 * with its result cache, the gateway's own error answers, and proxy events (format 1.0) for the
 * functions, with the authorizer's context in `requestContext.authorizer`.
 */
export function createLocalGateway(options: LocalGatewayOptions): RequestListener {
  const errors = gatewayErrors(options.requiredScope);
  const authorizerCache = new Map<string, { result: APIGatewayAuthorizerResult; expiresAt: number }>();

  async function authorize(token: string, methodArn: string): Promise<APIGatewayAuthorizerResult | GatewayError> {
    const cached = authorizerCache.get(token);
    if (cached && cached.expiresAt > Date.now()) return cached.result;
    try {
      const result = await options.authorizer({ type: 'TOKEN', authorizationToken: token, methodArn });
      authorizerCache.set(token, { result, expiresAt: Date.now() + AUTHORIZER_CACHE_TTL_MS });
      return result;
    } catch (error) {
      return error instanceof Error && error.message === 'Unauthorized'
        ? (errors.UNAUTHORIZED as GatewayError)
        : (errors.AUTHORIZER_FAILURE as GatewayError);
    }
  }

  return async (request, response) => {
    const requestId = randomUUID();
    const fail = (error: GatewayError | undefined) => sendGatewayError(response, requestId, error);
    const body = await readBody(request);
    if (body === 'too large') return fail(errors.REQUEST_TOO_LARGE);

    const url = new URL(request.url ?? '/', 'http://localhost');
    const method = (request.method ?? 'GET').toUpperCase();
    const document = method === 'GET' ? options.publicDocuments?.[url.pathname] : undefined;
    if (document)
      return send(response, requestId, {
        statusCode: 200,
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify(document()),
      });

    const match = matchRoute(options.routes, method, url.pathname);
    if (match === 'bad parameter') return fail(errors.BAD_REQUEST_PARAMETERS);
    if (!match) return fail(errors.MISSING_AUTHENTICATION_TOKEN);

    const token = request.headers.authorization;
    if (!token) return fail(errors.UNAUTHORIZED);
    const methodArn = `arn:aws:execute-api:local:${ACCOUNT}:local/${STAGE}/${method}${url.pathname}`;
    const authorization = await authorize(token, methodArn);
    if ('statusCode' in authorization) return fail(authorization);
    if (authorization.policyDocument.Statement.some((statement) => statement.Effect !== 'Allow')) {
      return fail(errors.ACCESS_DENIED);
    }

    const event = proxyEvent({ request, url, method, body, requestId, route: match, authorization });
    try {
      send(response, requestId, await match.route.handler(event, lambdaContext(requestId)));
    } catch (error) {
      console.error(JSON.stringify({ level: 'ERROR', message: 'function failed', requestId, error: String(error) }));
      fail(errors.INTEGRATION_FAILURE);
    }
  };
}

function matchRoute(routes: GatewayRoute[], method: string, path: string) {
  const segments = path.split('/');
  for (const route of routes) {
    const resourceSegments = route.resource.split('/');
    if (route.method !== method || resourceSegments.length !== segments.length) continue;
    const pathParameters: Record<string, string> = {};
    const matches = resourceSegments.every((part, index) => {
      const segment = segments[index] as string;
      if (!part.startsWith('{')) return part === segment;
      pathParameters[part.slice(1, -1)] = segment;
      return segment.length > 0;
    });
    if (!matches) continue;
    try {
      for (const [name, value] of Object.entries(pathParameters)) pathParameters[name] = decodeURIComponent(value);
    } catch {
      return 'bad parameter' as const;
    }
    return { route, pathParameters };
  }
  return undefined;
}

async function readBody(request: IncomingMessage): Promise<Buffer | 'too large'> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request) {
    size += (chunk as Buffer).length;
    if (size > MAX_PAYLOAD_BYTES) return 'too large';
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

function proxyEvent({
  request,
  url,
  method,
  body,
  requestId,
  route,
  authorization,
}: {
  request: IncomingMessage;
  url: URL;
  method: string;
  body: Buffer;
  requestId: string;
  route: { route: GatewayRoute; pathParameters: Record<string, string> };
  authorization: APIGatewayAuthorizerResult;
}): APIGatewayProxyEvent {
  const headerPairs: [string, string][] = [];
  for (let index = 0; index < request.rawHeaders.length; index += 2) {
    headerPairs.push([request.rawHeaders[index] as string, request.rawHeaders[index + 1] as string]);
  }
  const multiValueHeaders = group(headerPairs);
  const multiValueQuery = group([...url.searchParams]);
  const last = (values: Record<string, string[]>) =>
    Object.fromEntries(Object.entries(values).map(([name, list]) => [name, list.at(-1) as string]));
  const text = body.length === 0 ? null : decodeUtf8(body);
  return {
    resource: route.route.resource,
    path: url.pathname,
    httpMethod: method,
    headers: last(multiValueHeaders),
    multiValueHeaders,
    queryStringParameters: url.searchParams.size > 0 ? last(multiValueQuery) : null,
    multiValueQueryStringParameters: url.searchParams.size > 0 ? multiValueQuery : null,
    pathParameters: route.pathParameters,
    stageVariables: null,
    // Bytes that are not UTF-8 reach the function base64-encoded rather than mangled.
    body: text ?? (body.length === 0 ? null : body.toString('base64')),
    isBase64Encoded: text === null && body.length > 0,
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
      path: `/${STAGE}${url.pathname}`,
      protocol: `HTTP/${request.httpVersion}`,
      requestId,
      requestTimeEpoch: Date.now(),
      resourceId: 'local',
      resourcePath: route.route.resource,
      stage: STAGE,
    },
  };
}

/** Values by name, in order; a Map first, so that a name like `__proto__` stays a plain key. */
function group(pairs: [string, string][]): Record<string, string[]> {
  const groups = new Map<string, string[]>();
  for (const [name, value] of pairs) groups.set(name, [...(groups.get(name) ?? []), value]);
  return Object.fromEntries(groups);
}

function decodeUtf8(body: Buffer): string | null {
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(body);
  } catch {
    return null;
  }
}

function lambdaContext(requestId: string): Context {
  return {
    callbackWaitsForEmptyEventLoop: true,
    functionName: 'local',
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:local:${ACCOUNT}:function:local`,
    memoryLimitInMB: '512',
    awsRequestId: requestId,
    logGroupName: '/local',
    logStreamName: 'local',
    getRemainingTimeInMillis: () => 10_000,
    done: () => {},
    fail: () => {},
    succeed: () => {},
  };
}

function send(response: ServerResponse, requestId: string, result: APIGatewayProxyResult): void {
  const headers: Record<string, string | string[]> = { 'x-amzn-RequestId': requestId };
  for (const [name, value] of Object.entries(result.headers ?? {})) headers[name] = String(value);
  for (const [name, values] of Object.entries(result.multiValueHeaders ?? {})) headers[name] = values.map(String);
  const body = Buffer.from(result.body ?? '', result.isBase64Encoded ? 'base64' : 'utf8');
  response.writeHead(result.statusCode, { ...headers, 'Content-Length': String(body.length) });
  response.end(body);
}

function sendGatewayError(response: ServerResponse, requestId: string, error: GatewayError | undefined): void {
  const { statusCode, body, headers } = error ?? {
    statusCode: 500,
    body: { code: 'INTERNAL_SERVER_ERROR', message: 'An internal error occurred.' },
    headers: {},
  };
  send(response, requestId, {
    statusCode,
    headers: { 'Content-Type': 'application/json', ...headers },
    body: JSON.stringify(body),
  });
}
