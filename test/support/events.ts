import type { APIGatewayProxyEvent, Context } from 'aws-lambda';
import { CLIENT_ID } from './clients.js';

export const ADMIN_AUTHORIZER = { principalId: 'admin', sub: 'admin', scope: 'openid clients:manage:all' };

export interface EventOptions {
  method?: string;
  clientId?: string;
  body?: unknown;
  rawBody?: string | null;
  headers?: Record<string, string>;
  authorizer?: Record<string, unknown> | null;
  base64?: boolean;
}

/** An API Gateway REST proxy event (format 1.0) as the update route receives it. */
export function updateEvent(options: EventOptions = {}): APIGatewayProxyEvent {
  const clientId = options.clientId ?? CLIENT_ID;
  const method = options.method ?? 'PUT';
  const text = options.rawBody !== undefined ? options.rawBody : JSON.stringify(options.body ?? { client: {} });
  const headers = {
    'Content-Type': 'application/json',
    Authorization: 'Bearer header.payload.signature',
    ...options.headers,
  };
  return {
    resource: '/api/clients/{client_id}',
    path: `/api/clients/${clientId}`,
    httpMethod: method,
    headers,
    multiValueHeaders: Object.fromEntries(Object.entries(headers).map(([name, value]) => [name, [value]])),
    queryStringParameters: null,
    multiValueQueryStringParameters: null,
    pathParameters: { client_id: clientId },
    stageVariables: null,
    body: options.base64 && text !== null ? Buffer.from(text).toString('base64') : text,
    isBase64Encoded: options.base64 ?? false,
    requestContext: {
      authorizer: options.authorizer === null ? undefined : (options.authorizer ?? ADMIN_AUTHORIZER),
      httpMethod: method,
      requestId: 'request-1',
    } as APIGatewayProxyEvent['requestContext'],
  };
}

export const LAMBDA_CONTEXT = {
  functionName: 'update-client',
  functionVersion: '$LATEST',
  invokedFunctionArn: 'arn:aws:lambda:us-east-1:123456789012:function:update-client',
  memoryLimitInMB: '256',
  awsRequestId: 'request-1',
  getRemainingTimeInMillis: () => 10_000,
} as Context;
