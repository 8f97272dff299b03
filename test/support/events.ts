import type { APIGatewayProxyEvent, Context } from 'aws-lambda';
import { CLIENT_ID } from './clients.js';

/** The context the authorizer gives the functions, as API Gateway hands it over: strings only. */
export const ADMIN_AUTHORIZER = {
  principalId: 'admin',
  sub: 'admin',
  scope: 'openid clients:manage:all',
  exp: String(Math.floor(Date.now() / 1000) + 24 * 3600),
  client_id: 'admin-ui',
  iss: 'https://issuer.example.com/',
};

export interface EventOptions {
  method?: string;
  clientId?: string;
  body?: unknown;
  rawBody?: string | null;
  headers?: Record<string, string>;
  authorizer?: Record<string, unknown> | null;
  base64?: boolean;
  /** The route below /api/clients/{client_id}, e.g. `/regenerate_did`; absent for the item itself. */
  action?: string;
  /** `true` for the collection routes (/api/clients), which have no path id. */
  collection?: boolean;
  query?: Record<string, string>;
  /** `requestContext.path`: the path as the client sent it, e.g. with the stage (`/v1/api/clients`). */
  requestPath?: string;
}

/** An API Gateway REST proxy event (format 1.0) as the client routes receive it. */
export function apiEvent(options: EventOptions = {}): APIGatewayProxyEvent {
  const clientId = options.clientId ?? CLIENT_ID;
  const method = options.method ?? 'PUT';
  const text = options.rawBody !== undefined ? options.rawBody : JSON.stringify(options.body ?? { client: {} });
  const headers = {
    'Content-Type': 'application/json',
    Authorization: 'Bearer header.payload.signature',
    ...options.headers,
  };
  const resource = options.collection ? '/api/clients' : `/api/clients/{client_id}${options.action ?? ''}`;
  const path = options.collection ? '/api/clients' : `/api/clients/${clientId}${options.action ?? ''}`;
  return {
    resource,
    path,
    httpMethod: method,
    headers,
    multiValueHeaders: Object.fromEntries(Object.entries(headers).map(([name, value]) => [name, [value]])),
    queryStringParameters: options.query ?? null,
    multiValueQueryStringParameters: options.query
      ? Object.fromEntries(Object.entries(options.query).map(([name, value]) => [name, [value]]))
      : null,
    pathParameters: options.collection ? null : { client_id: clientId },
    stageVariables: null,
    body: options.base64 && text !== null ? Buffer.from(text).toString('base64') : text,
    isBase64Encoded: options.base64 ?? false,
    requestContext: {
      authorizer: options.authorizer === null ? undefined : (options.authorizer ?? ADMIN_AUTHORIZER),
      httpMethod: method,
      path: options.requestPath ?? `/v1${path}`,
      requestId: 'request-1',
      identity: { sourceIp: '203.0.113.7' },
    } as APIGatewayProxyEvent['requestContext'],
  };
}

/** The update route's event: PUT /api/clients/{client_id} unless told otherwise. */
export const updateEvent = (options: EventOptions = {}) => apiEvent(options);

export const LAMBDA_CONTEXT = {
  functionName: 'update-client',
  functionVersion: '$LATEST',
  invokedFunctionArn: 'arn:aws:lambda:us-east-1:123456789012:function:update-client',
  memoryLimitInMB: '256',
  awsRequestId: 'request-1',
  getRemainingTimeInMillis: () => 10_000,
} as Context;
