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
  /**
   * The scopes a token may hold to be served, any one of them sufficing; the first is the one a
   * 403 names. Names as upstream spells them: `clients:manage:all` is REQUIRED_SCOPE, the others
   * take the deployment's SCOPE_PREFIX (lambda/http/route-scopes.ts).
   */
  scopes: readonly string[];
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

// A rename or delete brings every linked client's copy up to date before it answers: more time
// than a single write needs, still below the integration timeout (a fan-out cut short is
// completed by the same request sent again).
const FAN_OUT = { memorySize: 512, timeoutSeconds: 25 } as const;

const {
  client: CLIENT,
  identityProvider: IDENTITY_PROVIDER,
  identityProviderName: IDENTITY_PROVIDER_NAME,
  identityProviderLink: IDENTITY_PROVIDER_LINK,
  scope: SCOPE,
  scopeName: SCOPE_NAME,
  scopeLink: SCOPE_LINK,
} = ITEM_KINDS;
// Create and update read the identity provider and scopes a body names, create scopes by name,
// and link the client to what it copies (lambda/app/client-copies.ts).
const CLIENT_AND_LINKS = [CLIENT, IDENTITY_PROVIDER, SCOPE, SCOPE_NAME, SCOPE_LINK, IDENTITY_PROVIDER_LINK];
const CLIENT_LINKS = [CLIENT, SCOPE_LINK, IDENTITY_PROVIDER_LINK];

const CLIENTS = 'clients:manage:all';
const SCOPES = 'scopes:manage:all';
const IDENTITY_PROVIDERS = 'identity-providers:manage:all';
const CLIENTS_ONLY = [CLIENTS];
// Upstream lets every admin scope read scopes: the client form and the user form list them.
const SCOPE_READERS = [CLIENTS, SCOPES, 'users:manage:all', IDENTITY_PROVIDERS];
// Upstream reads need identity-providers:manage:all; clients:manage:all too here, so that the
// client form's picker works with the token that edits clients.
const IDENTITY_PROVIDER_READERS = [CLIENTS, IDENTITY_PROVIDERS];

type NamedResourceHandler<H extends string> = `list-${H}s` | `${'get' | 'create' | 'update' | 'delete'}-${H}`;

interface NamedResourceSettings {
  /** Its items, name locks and client links. */
  partitions: { item: ItemKind; name: ItemKind; link: ItemKind };
  readers: readonly string[];
  writers: readonly string[];
  summaries: { update: string; delete: string };
}

/**
 * The five functions of a named resource (scopes, identity providers): list, show, create,
 * update (PUT and PATCH) and delete. Its update and delete reach clients to update their copies.
 */
function namedResourceFunctions<H extends 'scope' | 'identity-provider'>(
  id: string,
  handler: H,
  { partitions: { item, name, link }, readers, writers, summaries }: NamedResourceSettings,
): Record<NamedResourceHandler<H>, FunctionSpec> {
  const collection = `/api/${handler}s`;
  const member = `${collection}/{${handler.replace('-', '_')}_id}`;
  const label = handler.replace('-', ' ');
  const changesCopies = {
    // GetItem: the resource, a name lock, a client whose write lost to another; UpdateItem: the
    // resource and client copies; PutItem: name locks; DeleteItem: locks and stale links.
    dynamodbActions: ['GetItem', 'UpdateItem', 'PutItem', 'DeleteItem', 'Query', 'BatchGetItem'],
    dynamodbPartitions: [item, name, link, CLIENT],
    ...FAN_OUT,
  };
  const functions: Record<string, FunctionSpec> = {
    [`list-${handler}s`]: {
      id: `List${id}s`,
      description: `GET ${collection}`,
      routes: [
        { method: 'GET', path: collection, operationId: `list${id}s`, summary: `List ${label}s`, scopes: readers },
      ],
      dynamodbActions: ['Query'],
      dynamodbPartitions: [item],
      ...STANDARD,
    },
    [`get-${handler}`]: {
      id: `Get${id}`,
      description: `GET ${member}`,
      routes: [
        { method: 'GET', path: member, operationId: `get${id}`, summary: `Show ${article(label)}`, scopes: readers },
      ],
      dynamodbActions: ['GetItem'],
      dynamodbPartitions: [item],
      ...STANDARD,
    },
    [`create-${handler}`]: {
      id: `Create${id}`,
      description: `POST ${collection}`,
      routes: [
        {
          method: 'POST',
          path: collection,
          operationId: `create${id}`,
          summary: `Create ${article(label)}`,
          scopes: writers,
        },
      ],
      dynamodbActions: ['GetItem', 'PutItem', 'DeleteItem'],
      dynamodbPartitions: [item, name],
      ...STANDARD,
    },
    [`update-${handler}`]: {
      id: `Update${id}`,
      description: `PUT and PATCH ${member}`,
      routes: [
        { method: 'PUT', path: member, operationId: `update${id}`, summary: summaries.update, scopes: writers },
        {
          method: 'PATCH',
          path: member,
          operationId: `patch${id}`,
          summary: `Update ${article(label)} (same semantics as PUT)`,
          scopes: writers,
        },
      ],
      ...changesCopies,
    },
    [`delete-${handler}`]: {
      id: `Delete${id}`,
      description: `DELETE ${member}`,
      routes: [
        { method: 'DELETE', path: member, operationId: `delete${id}`, summary: summaries.delete, scopes: writers },
      ],
      ...changesCopies,
      // BatchWriteItem: the links left once the resource is gone.
      dynamodbActions: [...changesCopies.dynamodbActions, 'BatchWriteItem'],
    },
  };
  return functions as Record<NamedResourceHandler<H>, FunctionSpec>;
}

function article(label: string): string {
  return `${/^[aeiou]/.test(label) ? 'an' : 'a'} ${label}`;
}

export const API_FUNCTIONS = {
  'list-clients': {
    id: 'ListClients',
    description: 'GET /api/clients',
    routes: [
      {
        method: 'GET',
        path: '/api/clients',
        operationId: 'listClients',
        summary: 'List clients',
        scopes: CLIENTS_ONLY,
      },
    ],
    dynamodbActions: ['Query'],
    dynamodbPartitions: [CLIENT],
    ...STANDARD,
  },
  'create-client': {
    id: 'CreateClient',
    description: 'POST /api/clients',
    routes: [
      {
        method: 'POST',
        path: '/api/clients',
        operationId: 'createClient',
        summary: 'Create a client',
        scopes: CLIENTS_ONLY,
      },
    ],
    // UpdateItem: links to what it copies, and the copies corrected after the write; DeleteItem:
    // the links of a create that is refused after putting them.
    dynamodbActions: ['BatchGetItem', 'PutItem', 'DeleteItem', 'GetItem', 'UpdateItem'],
    dynamodbPartitions: CLIENT_AND_LINKS,
    ...KEY_GENERATION,
  },
  'get-client': {
    id: 'GetClient',
    description: 'GET /api/clients/{client_id}',
    routes: [
      {
        method: 'GET',
        path: '/api/clients/{client_id}',
        operationId: 'getClient',
        summary: 'Show a client',
        scopes: CLIENTS_ONLY,
      },
    ],
    dynamodbActions: ['GetItem'],
    dynamodbPartitions: [CLIENT],
    ...STANDARD,
  },
  'update-client': {
    id: 'UpdateClient',
    description: 'PUT and PATCH /api/clients/{client_id}',
    routes: [
      {
        method: 'PUT',
        path: '/api/clients/{client_id}',
        operationId: 'updateClient',
        summary: 'Update a client',
        scopes: CLIENTS_ONLY,
      },
      {
        method: 'PATCH',
        path: '/api/clients/{client_id}',
        operationId: 'patchClient',
        summary: 'Update a client (same semantics as PUT)',
        scopes: CLIENTS_ONLY,
      },
    ],
    // PutItem: scope names locked before their scopes are created; UpdateItem: links and the client.
    dynamodbActions: ['BatchGetItem', 'GetItem', 'UpdateItem', 'PutItem'],
    dynamodbPartitions: CLIENT_AND_LINKS,
    ...STANDARD,
  },
  'delete-client': {
    id: 'DeleteClient',
    description: 'DELETE /api/clients/{client_id}',
    routes: [
      {
        method: 'DELETE',
        path: '/api/clients/{client_id}',
        operationId: 'deleteClient',
        summary: 'Delete a client',
        scopes: CLIENTS_ONLY,
      },
    ],
    // GetItem: the client, for its history entry; UpdateItem: its tombstone, which keeps the
    // history; DeleteItem: the deleted client's links.
    dynamodbActions: ['GetItem', 'UpdateItem', 'DeleteItem'],
    dynamodbPartitions: CLIENT_LINKS,
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
        scopes: CLIENTS_ONLY,
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
        scopes: CLIENTS_ONLY,
      },
    ],
    dynamodbActions: ['GetItem', 'UpdateItem'],
    dynamodbPartitions: [CLIENT],
    ...STANDARD,
  },
  'get-client-history': {
    id: 'GetClientHistory',
    description: 'GET /api/clients/{client_id}/history',
    routes: [
      {
        method: 'GET',
        path: '/api/clients/{client_id}/history',
        operationId: 'getClientHistory',
        summary: "A client's changes: who changed what, when, from where, newest first",
        scopes: CLIENTS_ONLY,
      },
    ],
    // One GetItem of the client's item, its history only.
    dynamodbActions: ['GetItem'],
    dynamodbPartitions: [CLIENT],
    ...STANDARD,
  },
  ...namedResourceFunctions('Scope', 'scope', {
    partitions: { item: SCOPE, name: SCOPE_NAME, link: SCOPE_LINK },
    readers: SCOPE_READERS,
    writers: [SCOPES],
    summaries: {
      update: 'Update a scope; a rename or a change of public reaches every client',
      delete: 'Delete a scope and remove it from every client',
    },
  }),
  ...namedResourceFunctions('IdentityProvider', 'identity-provider', {
    partitions: { item: IDENTITY_PROVIDER, name: IDENTITY_PROVIDER_NAME, link: IDENTITY_PROVIDER_LINK },
    readers: IDENTITY_PROVIDER_READERS,
    writers: [IDENTITY_PROVIDERS],
    summaries: {
      update: 'Update an identity provider; a rename reaches every client',
      delete: 'Delete an identity provider that no client links',
    },
  }),
  'list-key-pairs': {
    id: 'ListKeyPairs',
    description: 'GET /api/key-pairs',
    routes: [
      {
        method: 'GET',
        path: '/api/key-pairs',
        operationId: 'listKeyPairs',
        summary: 'List global key pairs (none: keys live on each client)',
        scopes: CLIENTS_ONLY,
      },
    ],
    // Keys live on each client: this function never reads the table.
    dynamodbActions: [],
    dynamodbPartitions: [],
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

/**
 * Every scope the routes accept, each once, as upstream spells it: the authorizer lets in a token
 * that holds any of them, and the created Cognito resource server defines them all.
 */
export const API_SCOPE_NAMES: readonly string[] = [...new Set(API_ROUTES.flatMap((route) => route.scopes))];

/**
 * A set of scopes that serves every route: the one each route names first. What the local dev
 * tokens carry by default.
 */
export const EVERY_ROUTE_SCOPE_NAMES: readonly string[] = [
  ...new Set(API_ROUTES.map((route) => route.scopes[0] as string)),
];

/** Each resource path with the methods it serves, in route order: what 405's `Allow` lists. */
export function methodsByResource(routes: readonly RouteSpec[] = API_ROUTES): Map<string, HttpMethod[]> {
  const resources = new Map<string, HttpMethod[]>();
  for (const route of routes) resources.set(route.path, [...(resources.get(route.path) ?? []), route.method]);
  return resources;
}
