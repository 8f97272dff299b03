import { DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { corsHeaders, parseCorsOrigins } from '../../lambda/http/cors.js';
import { createGetClientHandler } from '../../lambda/routes/client-routes.js';
import { createDocumentClient } from '../../lambda/store/document-client.js';
import { DynamoDbClientStore } from '../../lambda/store/dynamodb-client-store.js';
import { storedClient } from '../support/clients.js';
import { ADMIN_AUTHORIZER, apiEvent, LAMBDA_CONTEXT } from '../support/events.js';
import { clientItem } from '../support/items.js';
import { routeOptions } from '../support/routes.js';

const ADMIN_UI = 'https://admin.example.com';
const LOCAL_UI = 'http://localhost:4001';
const ALLOWED = {
  'Access-Control-Allow-Origin': ADMIN_UI,
  'Access-Control-Expose-Headers': 'ETag, Location, WWW-Authenticate, Retry-After',
  Vary: 'Origin',
};

const dynamo = mockClient(DynamoDBDocumentClient);
const store = new DynamoDbClientStore(createDocumentClient(), 'clients-test');
const getClient = (corsOrigins?: string[]) => createGetClientHandler(routeOptions(store, { corsOrigins }));
const corsOf = (headers: Record<string, unknown> = {}) =>
  Object.fromEntries(Object.entries(headers).filter(([name]) => /^(Access-Control-|Vary$)/.test(name)));

beforeEach(() => {
  dynamo.reset();
  dynamo.on(GetCommand).resolves({ Item: clientItem(storedClient(), 3) });
});

describe("the functions' CORS headers", () => {
  it('give an allowed origin its own origin, exposed headers and Vary on a 200', async () => {
    const response = await getClient([LOCAL_UI, ADMIN_UI])(
      apiEvent({ method: 'GET', headers: { Origin: ADMIN_UI } }),
      LAMBDA_CONTEXT,
    );

    expect(response.statusCode).toBe(200);
    expect(corsOf(response.headers)).toEqual(ALLOWED);
    expect(response.headers).toMatchObject({ ETag: '"3"' });
  });

  it.each([
    ['a 401 (no authorizer context)', { authorizer: null }, 401],
    ['a 403 (scope)', { authorizer: { ...ADMIN_AUTHORIZER, scope: 'openid' } }, 403],
    ['a 400 (path id)', { clientId: 'not-a-uuid' }, 400],
    ['a 405', { method: 'PATCH' }, 405],
  ])('give them on errors too: %s', async (_, options, status) => {
    const response = await getClient([ADMIN_UI])(
      apiEvent({ method: 'GET', headers: { origin: ADMIN_UI }, ...options }),
      LAMBDA_CONTEXT,
    );

    expect(response.statusCode).toBe(status);
    expect(corsOf(response.headers)).toEqual(ALLOWED);
  });

  it.each([
    ['another origin', { Origin: 'https://evil.example.com' }],
    ['an allowed origin in another case', { Origin: 'https://ADMIN.example.com' }],
    ['an allowed origin with a path', { Origin: `${ADMIN_UI}/` }],
    ['no Origin', {}],
  ])('give %s no CORS header, only Vary', async (_, headers) => {
    const response = await getClient([ADMIN_UI])(apiEvent({ method: 'GET', headers }), LAMBDA_CONTEXT);

    expect(corsOf(response.headers)).toEqual({ Vary: 'Origin' });
  });

  it('send no CORS header at all when no origin is allowed, as before', async () => {
    const response = await getClient()(apiEvent({ method: 'GET', headers: { Origin: ADMIN_UI } }), LAMBDA_CONTEXT);

    expect(corsOf(response.headers)).toEqual({});
  });
});

describe('the CORS rule', () => {
  it('names the preflight headers for an allowed origin only', () => {
    const preflight = (origin: string) => ({ origin });
    expect(corsHeaders(ADMIN_UI, [ADMIN_UI], preflight)).toEqual({ origin: ADMIN_UI, Vary: 'Origin' });
    expect(corsHeaders(LOCAL_UI, [ADMIN_UI], preflight)).toEqual({ Vary: 'Origin' });
    expect(corsHeaders(ADMIN_UI, [], preflight)).toEqual({});
  });

  it('keeps origins exactly as browsers send them', () => {
    expect(parseCorsOrigins([ADMIN_UI, LOCAL_UI, 'https://[::1]:8443'])).toEqual([
      ADMIN_UI,
      LOCAL_UI,
      'https://[::1]:8443',
    ]);
  });
});
