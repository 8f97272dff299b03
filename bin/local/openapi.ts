import { type ConversionConfig, toJsonSchema } from '@valibot/to-json-schema';
import * as v from 'valibot';
import { CLIENT_FIELD_SCHEMAS } from '../../lambda/domain/client-fields.js';
import { ClientViewSchema } from '../../lambda/domain/client-view.js';
import { HISTORY_ACTIONS, HISTORY_ENTRY_LIMITS, HISTORY_FIELDS } from '../../lambda/domain/history-entry.js';
import { IdentityProviderViewSchema } from '../../lambda/domain/identity-provider.js';
import { ScopeViewSchema } from '../../lambda/domain/scope.js';
import { MAX_BODY_BYTES, REQUIRED_SCOPE_DEFAULT } from '../../lambda/http/http-error.js';
import { MAX_PAGE_SIZE } from '../../lambda/routes/client-routes.js';
import { API_ROUTES, type ApiHandlerName } from '../../lib/api-routes.js';

/**
 * The OpenAPI 3.1 description of the API, generated from the valibot schemas the functions
 * validate with (request fields) and answer with (the client view), and from the route table
 * the stack deploys. Served by the local server at /api/openapi.json; `npm run openapi` writes it.
 */
const CONVERSION: ConversionConfig = {
  target: 'draft-2020-12',
  errorMode: 'ignore',
  overrideSchema: ({ valibotSchema }) => {
    // The field schemas wrap their casts in `nonNullable` (null → "can't be blank") and check
    // objects with `custom`: neither has a JSON Schema form of its own.
    if (valibotSchema.type === 'non_nullable') {
      return convert((valibotSchema as unknown as { wrapped: v.GenericSchema }).wrapped);
    }
    if (valibotSchema.type === 'custom') return { type: 'object' };
    return undefined;
  },
};

function convert(schema: v.GenericSchema): Record<string, unknown> {
  const { $schema: _, ...jsonSchema } = toJsonSchema(schema, CONVERSION) as Record<string, unknown>;
  return jsonSchema;
}

const ErrorBodySchema = v.object({
  code: v.pipe(v.string(), v.description('The upper-snake HTTP reason phrase, e.g. UNPROCESSABLE_ENTITY')),
  message: v.string(),
  errors: v.optional(
    v.pipe(
      v.record(v.string(), v.array(v.string())),
      v.description('Each failing field (or `resource`) to its distinct messages'),
    ),
  ),
});

const ERROR_RESPONSES: Record<string, string> = {
  '400':
    'Malformed request: body not JSON, no `client` object, a path id that is not a UUID, a bad `If-Match`, `limit` or `cursor`',
  '401': 'No valid bearer token',
  '403': 'The token lacks the scope, or the client is write-protected',
  '404':
    'No client with that id (for the history: no client, nor a deleted one within its retention), or no such route',
  '405': 'The resource does not serve this method; `Allow` lists those it does',
  '406': '`Accept` excludes application/json',
  '409': 'Concurrent writers kept winning the race; retry',
  '412': '`If-Match` does not name the stored version',
  '413': `Body larger than ${MAX_BODY_BYTES} bytes`,
  '415': 'Body is not application/json in UTF-8',
  '422': 'Field rules failed: every failing field with all its messages',
  '429': "Throttled by API Gateway (the stage, or the method's own throttle); see `Retry-After`",
  '500': 'Unexpected failure; the body names nothing internal',
  '503': 'The store is unavailable; see `Retry-After`',
  '502': 'API Gateway: the function failed, timed out or gave a malformed answer',
  '504': 'API Gateway: no answer within its 29 s integration timeout',
};

const NULLABLE_TEXT = { type: ['string', 'null'] };
const FINGERPRINT = {
  type: ['string', 'null'],
  description: '`sha256:` and 16 base64url characters; the public key: the start of its RFC 7638 JWK thumbprint',
};
/** An entry of a client's history (lambda/domain/history-entry.ts). */
const HISTORY_ENTRY = {
  type: 'object',
  required: ['version', 'at', 'action', 'actor', 'request_id', 'source_ip', 'changes'],
  properties: {
    version: { type: 'integer', minimum: 1, description: 'The client version the write produced (its ETag)' },
    at: { type: 'string', format: 'date-time', description: 'ISO 8601, UTC, milliseconds' },
    action: { enum: [...HISTORY_ACTIONS] },
    actor: {
      type: 'object',
      required: ['sub', 'client_id', 'issuer'],
      properties: { sub: NULLABLE_TEXT, client_id: NULLABLE_TEXT, issuer: NULLABLE_TEXT },
      description: "The token's `sub`, `client_id` (or `azp`) and issuer; for `npm run import`, `sub` only",
    },
    request_id: { ...NULLABLE_TEXT, description: "API Gateway's request id; null for imports" },
    source_ip: { ...NULLABLE_TEXT, description: "The caller's IP address; null for imports" },
    changes: {
      type: 'object',
      propertyNames: { enum: [...HISTORY_FIELDS] },
      additionalProperties: {
        oneOf: [
          { type: 'object', required: ['from', 'to'], properties: { from: {}, to: {} }, additionalProperties: false },
          {
            type: 'object',
            required: ['changed', 'from_fingerprint', 'to_fingerprint'],
            properties: { changed: { const: true }, from_fingerprint: FINGERPRINT, to_fingerprint: FINGERPRINT },
            additionalProperties: false,
          },
          {
            type: 'object',
            required: ['changed'],
            properties: { changed: { const: true } },
            additionalProperties: false,
          },
        ],
      },
      description: `Each changed field. \`secret\`, \`private_key\`, \`public_key\` and values over ${HISTORY_ENTRY_LIMITS.valueBytes} bytes as fingerprints; past ${HISTORY_ENTRY_LIMITS.entryBytes} bytes for the entry, the largest as \`{"changed": true}\``,
    },
  },
};

const SCOPE_REQUEST = {
  id: { type: ['string', 'null'], format: 'uuid', description: 'On create only: a UUID to use as the id' },
  name: { type: 'string', maxLength: 255, pattern: '^\\S+$', description: 'Unique, case-sensitive, no whitespace' },
  label: { type: ['string', 'null'], maxLength: 255 },
  public: { anyOf: [{ type: 'boolean' }, { enum: ['true', 'false', '1', '0'] }], description: 'Default false' },
};
const IDENTITY_PROVIDER_REQUEST = {
  id: { type: ['string', 'null'], format: 'uuid', description: 'On create only: a UUID to use as the id' },
  name: { type: 'string', maxLength: 255, description: 'Unique, case-sensitive' },
};

/** The view, envelope, list and request body of a named resource. */
function namedResourceSchemas(
  name: string,
  view: v.GenericSchema,
  request: Record<string, unknown>,
  bodyKey: string,
): Record<string, unknown> {
  const ref = { $ref: `#/components/schemas/${name}` };
  return {
    [name]: convert(view),
    [`${name}Envelope`]: { type: 'object', required: ['data'], properties: { data: ref } },
    [`${name}List`]: { type: 'object', required: ['data'], properties: { data: { type: 'array', items: ref } } },
    [`${name}Request`]: {
      type: 'object',
      required: [bodyKey],
      properties: {
        [bodyKey]: {
          type: 'object',
          properties: request,
          description: 'Only the keys present change; others are ignored',
        },
      },
    },
  };
}

type ResourceOperations<H extends string> = Record<
  `list-${H}s` | `${'get' | 'create' | 'update' | 'delete'}-${H}`,
  Record<string, unknown>
>;

/** The five operations of a named resource (scopes, identity providers). */
function namedResourceOperations<H extends string>(
  name: 'Scope' | 'IdentityProvider',
  handler: H,
  noun: string,
  errors: (...statuses: string[]) => Record<string, unknown>,
): ResourceOperations<H> {
  const plural = `${handler}s`;
  const envelope = (description: string, headers: Record<string, unknown> = {}) => ({
    description,
    headers: { ETag: { schema: { type: 'string' }, description: 'The version, for If-Match' }, ...headers },
    content: { 'application/json': { schema: { $ref: `#/components/schemas/${name}Envelope` } } },
  });
  const body = {
    required: true,
    content: { 'application/json': { schema: { $ref: `#/components/schemas/${name}Request` } } },
  };
  const ifMatch = { name: 'If-Match', in: 'header', required: false, schema: { type: 'string' } };
  // The shared descriptions speak of clients: these name this resource instead.
  const own: Record<string, string> = {
    '400': `Malformed request: body not JSON, no \`${noun.replace(' ', '_')}\` object, a path id that is not a UUID, a bad \`If-Match\``,
    '403':
      name === 'Scope'
        ? 'The token lacks the scope, or the scope is one the API is guarded by (write-protected)'
        : 'The token lacks the scope, or (delete) the identity provider is that of a write-protected client',
    '404': `No ${noun} with that id, or no such route`,
  };
  const failures = (...statuses: string[]) => {
    const responses = errors(...statuses, '401', '403', '405', '406', '429', '500', '502', '503', '504');
    for (const [status, description] of Object.entries(own)) {
      const response = responses[status] as { description: string } | undefined;
      if (response) responses[status] = { ...response, description };
    }
    return responses;
  };
  return {
    [`list-${plural}`]: {
      responses: {
        '200': {
          description: `Every ${noun}, sorted by name (byte order)`,
          content: { 'application/json': { schema: { $ref: `#/components/schemas/${name}List` } } },
        },
        ...failures(),
      },
    },
    [`get-${handler}`]: { responses: { '200': envelope(`The ${noun}`), ...failures('400', '404') } },
    [`create-${handler}`]: {
      requestBody: body,
      responses: {
        '201': envelope(`The new ${noun}`, {
          Location: { schema: { type: 'string' }, description: `/api/${plural}/{id}` },
        }),
        ...failures('400', '413', '415', '422'),
      },
    },
    [`update-${handler}`]: {
      parameters: [ifMatch],
      requestBody: body,
      responses: {
        '200': envelope('As stored after the update, every client copy updated'),
        ...failures('400', '404', '409', '412', '413', '415', '422'),
      },
    },
    [`delete-${handler}`]: {
      parameters: [ifMatch],
      responses: {
        '204': { description: 'Deleted' },
        ...failures('400', '404', '409', '412', ...(name === 'IdentityProvider' ? ['422'] : [])),
      },
    },
  } as unknown as ResourceOperations<H>;
}

export function openApiDocument(): Record<string, unknown> {
  const fieldSchemas = Object.fromEntries(
    Object.entries(CLIENT_FIELD_SCHEMAS).map(([field, schema]) => [field, convert(schema as v.GenericSchema)]),
  );
  const updateRequest = {
    type: 'object',
    required: ['client'],
    properties: {
      client: {
        type: 'object',
        description:
          'Only the keys present change; unknown keys, `id`, `did`, `public_key` and `private_key` are ignored. Empty strings become the field default (or null).',
        properties: {
          ...fieldSchemas,
          identity_provider: {
            type: ['object', 'null'],
            properties: { id: { type: ['string', 'null'], format: 'uuid' } },
            description: 'Absent, null or without `id`: the link is kept',
          },
          authorized_scopes: {
            type: ['array', 'null'],
            items: {
              type: 'object',
              properties: { id: { type: 'string', format: 'uuid' }, name: { type: 'string' } },
            },
            description: 'By id, or by name (created when unknown). Absent keeps the scopes; [] or null clears them.',
          },
        },
      },
    },
  };
  const errorResponse = (description: string) => ({
    description,
    content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } },
  });
  const clientBody = (description: string, headers: Record<string, unknown> = {}) => ({
    description,
    headers: { ETag: { schema: { type: 'string' }, description: 'The version, for If-Match' }, ...headers },
    content: { 'application/json': { schema: { $ref: '#/components/schemas/ClientEnvelope' } } },
  });
  const jsonRequest = {
    required: true,
    content: { 'application/json': { schema: { $ref: '#/components/schemas/UpdateClientRequest' } } },
  };
  const ifMatch = {
    name: 'If-Match',
    in: 'header',
    required: false,
    schema: { type: 'string' },
    description: 'An ETag of this client: act only if it is still current',
  };
  const errors = (...statuses: string[]) =>
    Object.fromEntries(statuses.map((status) => [status, errorResponse(ERROR_RESPONSES[status] as string)]));
  const COMMON = ['401', '403', '405', '406', '429', '500', '502', '503', '504'];
  const pageParameters = [
    { name: 'limit', in: 'query', required: false, schema: { type: 'integer', minimum: 1, maximum: MAX_PAGE_SIZE } },
    {
      name: 'cursor',
      in: 'query',
      required: false,
      schema: { type: 'string' },
      description: 'The next_cursor of the previous page',
    },
  ];
  const OPERATIONS: Record<ApiHandlerName, Record<string, unknown>> = {
    'list-clients': {
      parameters: pageParameters,
      responses: {
        '200': {
          description:
            'Every client in id order while they fit in one answer (5 MiB), else those that fit and `next_cursor`; with `limit`, a page and the cursor of the next (null after the last)',
          content: { 'application/json': { schema: { $ref: '#/components/schemas/ClientList' } } },
        },
        ...errors('400', ...COMMON),
      },
    },
    'create-client': {
      requestBody: jsonRequest,
      responses: {
        '201': clientBody('The new client', {
          Location: {
            schema: { type: 'string' },
            description:
              'The request path and the id: `/v1/api/clients/{id}` on the stage URL, `/api/clients/{id}` locally',
          },
        }),
        ...errors('400', '413', '415', '422', ...COMMON),
      },
    },
    'get-client': { responses: { '200': clientBody('The client'), ...errors('400', '404', ...COMMON) } },
    'update-client': {
      parameters: [ifMatch],
      requestBody: jsonRequest,
      responses: {
        '200': clientBody('The client, as stored after the update'),
        ...errors('400', '404', '409', '412', '413', '415', '422', ...COMMON),
      },
    },
    'delete-client': {
      parameters: [ifMatch],
      responses: {
        '204': { description: 'Deleted; its history stays readable for the retention period' },
        ...errors('400', '404', '409', '412', ...COMMON),
      },
    },
    'regenerate-key-pair': {
      responses: {
        '200': clientBody('The client with its new public key'),
        ...errors('400', '404', '409', '422', ...COMMON),
      },
    },
    'regenerate-did': {
      responses: { '200': clientBody('The client with its new did'), ...errors('400', '404', '409', '422', ...COMMON) },
    },
    'get-client-history': {
      parameters: pageParameters,
      responses: {
        '200': {
          description:
            "The client's history entries, newest first: every entry kept (the last 50 by default) or, with `limit`, a page and the cursor of the next (null after the last). A deleted client's, until its retention is over",
          content: { 'application/json': { schema: { $ref: '#/components/schemas/HistoryPage' } } },
        },
        ...errors('400', '404', ...COMMON),
      },
    },
    ...namedResourceOperations('Scope', 'scope', 'scope', errors),
    ...namedResourceOperations('IdentityProvider', 'identity-provider', 'identity provider', errors),
    'list-key-pairs': {
      responses: {
        '200': {
          description: 'Always empty: this service keeps no global key pairs (each client has its own)',
          content: { 'application/json': { schema: { $ref: '#/components/schemas/KeyPairList' } } },
        },
        ...errors(...COMMON),
      },
    },
  };
  const paths: Record<string, Record<string, unknown>> = {};
  for (const route of API_ROUTES) {
    const parameter = /\{(\w+)\}/.exec(route.path)?.[1];
    paths[route.path] ??= parameter
      ? { parameters: [{ name: parameter, in: 'path', required: true, schema: { type: 'string', format: 'uuid' } }] }
      : {};
    (paths[route.path] as Record<string, unknown>)[route.method.toLowerCase()] = {
      operationId: route.operationId,
      summary: route.summary,
      // Any one of the route's scopes suffices.
      security: route.scopes.map((scope) => ({ bearer: [scope] })),
      ...OPERATIONS[route.handler],
    };
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'Clients admin API',
      version: '1.0.0',
      description:
        'Admin API for OAuth/OpenID Connect client registrations. Every route needs a bearer token with the required scope.',
    },
    security: [{ bearer: [REQUIRED_SCOPE_DEFAULT] }],
    paths,
    components: {
      securitySchemes: {
        bearer: {
          type: 'http',
          scheme: 'bearer',
          bearerFormat: 'JWT',
          description: `An access token whose space-separated \`scope\` claim holds \`${REQUIRED_SCOPE_DEFAULT}\``,
        },
      },
      schemas: {
        UpdateClientRequest: updateRequest,
        Client: convert(ClientViewSchema),
        ClientEnvelope: {
          type: 'object',
          required: ['data'],
          properties: { data: { $ref: '#/components/schemas/Client' } },
        },
        ClientList: {
          type: 'object',
          required: ['data'],
          properties: {
            data: { type: 'array', items: { $ref: '#/components/schemas/Client' } },
            next_cursor: { type: ['string', 'null'] },
          },
        },
        HistoryEntry: HISTORY_ENTRY,
        HistoryPage: {
          type: 'object',
          required: ['data', 'next_cursor'],
          properties: {
            data: { type: 'array', items: { $ref: '#/components/schemas/HistoryEntry' } },
            next_cursor: { type: ['string', 'null'] },
          },
        },
        Error: convert(ErrorBodySchema),
        ...namedResourceSchemas('Scope', ScopeViewSchema, SCOPE_REQUEST, 'scope'),
        ...namedResourceSchemas(
          'IdentityProvider',
          IdentityProviderViewSchema,
          IDENTITY_PROVIDER_REQUEST,
          'identity_provider',
        ),
        KeyPairList: {
          type: 'object',
          required: ['data'],
          properties: { data: { type: 'array', maxItems: 0, items: {} } },
        },
      },
    },
  };
}
