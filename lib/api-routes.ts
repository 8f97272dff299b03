import { ITEM_KINDS, type ItemKind } from '../lambda/store/table-definition.js';

/** The API's name: API Gateway's name for it, and the `source` of the events it publishes. */
export const API_NAME = 'clients-admin-api';

/**
 * The API's functions, each with the routes it serves and its settings, defined once: the stack
 * deploys them, the local gateway serves and limits them the same way, the OpenAPI document
 * describes them, and the tests read them. A new route or function is one entry here.
 */

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

export interface RouteSpec {
  method: HttpMethod;
  /** The API Gateway resource path, with `{name}` path parameters: `/api/clients/{client_id}`. */
  path: string;
  operationId: string;
  summary: string;
}

/** Requests per second (steady) and the bucket size (burst) of API Gateway's token bucket. */
export interface Throttle {
  rateLimit: number;
  burstLimit: number;
}

export interface FunctionSpec {
  /** The construct id in the stack; the code is lambda/handlers/<key>.ts. */
  id: string;
  description: string;
  routes: readonly RouteSpec[];
  /** Exactly the DynamoDB actions the function's code sends, on the table only. */
  dynamodbActions: readonly string[];
  /** The partitions (item kinds) it may send them to: the `dynamodb:LeadingKeys` of its policy. */
  dynamodbPartitions: readonly ItemKind[];
  memorySize: number;
  /** Below the integration timeout, so that API Gateway never answers for a function still running. */
  timeoutSeconds: number;
  /** A method throttle of its own, below the stage's, for routes that burn CPU. */
  throttle?: Throttle;
}

/** Stage `v1`: the routes are below `<ApiUrl>` = `https://<api>.execute-api.<region>.amazonaws.com/v1/`. */
export const STAGE = 'v1';

/** What the stage admits before answering 429 (settable with `-c throttleRate/throttleBurst`). */
export const STAGE_THROTTLE: Throttle = { rateLimit: 50, burstLimit: 100 };

/** API Gateway REST's default (and, for edge APIs, maximum) integration timeout. */
export const INTEGRATION_TIMEOUT_SECONDS = 29;

const STANDARD = { memorySize: 512, timeoutSeconds: 10 } as const;
// Key generation is CPU-bound, and Lambda gives a whole vCPU at 1,769 MB; an RSA-4096 key takes
// about a second there. Their own throttle keeps a burst of them from queueing up.
const KEY_GENERATION = {
  memorySize: 1769,
  timeoutSeconds: 20,
  throttle: { rateLimit: 5, burstLimit: 10 },
} as const;

const { client: CLIENT, identityProvider: IDENTITY_PROVIDER, scope: SCOPE, scopeName: SCOPE_NAME } = ITEM_KINDS;
// Create and update read the identity provider and scopes a body names, and create scopes by name.
const CLIENT_AND_LINKS = [CLIENT, IDENTITY_PROVIDER, SCOPE, SCOPE_NAME];

export const API_FUNCTIONS = {
  'list-clients': {
    id: 'ListClients',
    description: 'GET /api/clients',
    routes: [{ method: 'GET', path: '/api/clients', operationId: 'listClients', summary: 'List clients' }],
    dynamodbActions: ['Query'],
    dynamodbPartitions: [CLIENT],
    ...STANDARD,
  },
  'create-client': {
    id: 'CreateClient',
    description: 'POST /api/clients',
    routes: [{ method: 'POST', path: '/api/clients', operationId: 'createClient', summary: 'Create a client' }],
    // DeleteItem: the loser of a race to create a scope name removes its own scope item.
    dynamodbActions: ['BatchGetItem', 'PutItem', 'DeleteItem', 'GetItem'],
    dynamodbPartitions: CLIENT_AND_LINKS,
    ...KEY_GENERATION,
  },
  'get-client': {
    id: 'GetClient',
    description: 'GET /api/clients/{client_id}',
    routes: [{ method: 'GET', path: '/api/clients/{client_id}', operationId: 'getClient', summary: 'Show a client' }],
    dynamodbActions: ['GetItem'],
    dynamodbPartitions: [CLIENT],
    ...STANDARD,
  },
  'update-client': {
    id: 'UpdateClient',
    description: 'PUT and PATCH /api/clients/{client_id}',
    routes: [
      { method: 'PUT', path: '/api/clients/{client_id}', operationId: 'updateClient', summary: 'Update a client' },
      {
        method: 'PATCH',
        path: '/api/clients/{client_id}',
        operationId: 'patchClient',
        summary: 'Update a client (same semantics as PUT)',
      },
    ],
    dynamodbActions: ['BatchGetItem', 'GetItem', 'UpdateItem', 'PutItem', 'DeleteItem'],
    dynamodbPartitions: CLIENT_AND_LINKS,
    ...STANDARD,
  },
  'delete-client': {
    id: 'DeleteClient',
    description: 'DELETE /api/clients/{client_id}',
    routes: [
      { method: 'DELETE', path: '/api/clients/{client_id}', operationId: 'deleteClient', summary: 'Delete a client' },
    ],
    dynamodbActions: ['DeleteItem', 'GetItem'],
    dynamodbPartitions: [CLIENT],
    ...STANDARD,
  },
  'regenerate-key-pair': {
    id: 'RegenerateKeyPair',
    description: 'POST /api/clients/{client_id}/regenerate_key_pair',
    routes: [
      {
        method: 'POST',
        path: '/api/clients/{client_id}/regenerate_key_pair',
        operationId: 'regenerateKeyPair',
        summary: 'Generate a new key pair from the key_pair_type',
      },
    ],
    dynamodbActions: ['GetItem', 'UpdateItem'],
    dynamodbPartitions: [CLIENT],
    ...KEY_GENERATION,
  },
  'regenerate-did': {
    id: 'RegenerateDid',
    description: 'POST /api/clients/{client_id}/regenerate_did',
    routes: [
      {
        method: 'POST',
        path: '/api/clients/{client_id}/regenerate_did',
        operationId: 'regenerateDid',
        summary: 'Derive the did:key of the current public key',
      },
    ],
    dynamodbActions: ['GetItem', 'UpdateItem'],
    dynamodbPartitions: [CLIENT],
    ...STANDARD,
  },
} as const satisfies Record<string, FunctionSpec>;

export type ApiHandlerName = keyof typeof API_FUNCTIONS;

/** The token authorizer's function. */
export const AUTHORIZER_FUNCTION = { memorySize: 256, timeoutSeconds: 5 } as const;

export interface ApiRoute extends RouteSpec {
  handler: ApiHandlerName;
}

/** Every route, with the function that serves it. */
export const API_ROUTES: readonly ApiRoute[] = Object.entries(API_FUNCTIONS).flatMap(([handler, spec]) =>
  spec.routes.map((route) => ({ ...route, handler: handler as ApiHandlerName })),
);

/** Each resource path with the methods it serves, in route order: what 405's `Allow` lists. */
export function methodsByResource(routes: readonly RouteSpec[] = API_ROUTES): Map<string, HttpMethod[]> {
  const resources = new Map<string, HttpMethod[]>();
  for (const route of routes) resources.set(route.path, [...(resources.get(route.path) ?? []), route.method]);
  return resources;
}
