import fc from 'fast-check';
import { GRANT_TYPES, SIGNATURE_ALGS, TOKEN_ENDPOINT_AUTH_METHODS } from '../../lambda/domain/client.js';

/**
 * Update bodies for the property tests: every field gets values the contract accepts (casts,
 * blanks, defaults) and values it refuses, mixed with hostile input of any type.
 */
export interface World {
  identityProviderIds: string[];
  scopeIds: string[];
  scopeNames: string[];
}

const BLANKS = ['', ' ', '\t\n '];
const PROTO_KEYS = ['__proto__', 'constructor', 'prototype'];

const deep: fc.Arbitrary<unknown> = fc.letrec((tie) => ({
  node: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.constant('leaf'),
    fc.array(tie('node'), { maxLength: 2 }),
    fc.dictionary(fc.constantFrom('a', ...PROTO_KEYS), tie('node'), { maxKeys: 2 }),
  ),
})).node;

export const hostile: fc.Arbitrary<unknown> = fc.oneof(
  fc.string({ maxLength: 40 }),
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.string({ minLength: 2000, maxLength: 6000 }),
  fc.constantFrom(...BLANKS, '120', '-1', '1.5', '1e3', 'true', '0', 'null', ...PROTO_KEYS),
  fc.integer(),
  fc.double(),
  fc.boolean(),
  fc.constant(null),
  fc.array(fc.string({ maxLength: 10 }), { minLength: 0, maxLength: 150 }),
  fc.dictionary(fc.constantFrom(...PROTO_KEYS, 'type', 'id', 'name'), fc.jsonValue(), { maxKeys: 3 }),
  deep,
);

const ttl = (max: number) =>
  fc.oneof(
    fc.integer({ min: -2, max: max + 2 }),
    fc.integer({ min: 1, max }).map(String),
    fc.constantFrom(0, max, max + 1, null, ''),
  );
const boolean = fc.constantFrom(true, false, 'true', 'false', '1', '0', 'yes', 1, null);
const text = (max: number) =>
  fc.oneof(
    fc.string({ maxLength: 30 }),
    fc.string({ minLength: max - 2, maxLength: max + 2 }),
    fc.constantFrom(...BLANKS, null),
  );
const list = <T>(items: fc.Arbitrary<T>, maxLength: number) =>
  fc.oneof(fc.array(fc.oneof(items, fc.constantFrom(...BLANKS)), { maxLength }), fc.constant(null));
const uri = fc.oneof(
  fc.webUrl({ withQueryParameters: true }),
  fc.constantFrom(
    'https://a.example.com/cb',
    'myapp://cb',
    'myapp:/cb',
    'no-scheme',
    'https://x.example.com/#f',
    'http://',
    'https://exa mple.com',
  ),
);
const keyPairType = fc.oneof(
  fc.constantFrom(
    { type: 'rsa', modulus_size: '2048', exponent_size: '65537' },
    { type: 'rsa', modulus_size: '4096' },
    { type: 'rsa', modulus_size: '1024' },
    { type: 'rsa' },
    { type: 'ec', curve: 'P-256' },
    { type: 'ec', curve: 'P-512' },
    { type: 'ec' },
    { type: 'universal' },
    { type: 'dsa' },
    { modulus_size: 2048 },
    { type: 1 },
  ),
  fc.record({ type: fc.constant('rsa'), modulus_size: fc.constant('2048'), note: fc.string({ maxLength: 20 }) }),
  fc.constantFrom(null, '', 'rsa', []),
);

const fieldValues = (world: World): Record<string, fc.Arbitrary<unknown>> => ({
  access_token_ttl: ttl(86400),
  authorization_code_ttl: ttl(600),
  authorization_request_ttl: ttl(300),
  refresh_token_ttl: ttl(2592000),
  id_token_ttl: ttl(86400),
  check_public_client_id: boolean,
  confidential: boolean,
  public_refresh_token: boolean,
  public_revoke: boolean,
  authorize_scope: boolean,
  enforce_dpop: boolean,
  enforce_tx_code: boolean,
  pkce: boolean,
  name: text(255),
  secret: text(1024),
  public_client_id: text(255),
  jwt_public_key: text(100),
  trusted_authorities: text(100),
  trusted_hosts: list(fc.domain(), 5),
  redirect_uris: list(uri, 5),
  supported_grant_types: list(fc.constantFrom(...GRANT_TYPES, 'magic'), 4),
  token_endpoint_auth_methods: list(fc.constantFrom(...TOKEN_ENDPOINT_AUTH_METHODS, 'tls_client_auth'), 3),
  token_endpoint_jwt_auth_alg: fc.constantFrom('RS256', 'RS512', 'HS256', 'HS512', 'ES256', '', null),
  response_mode: fc.constantFrom('post', 'direct_post', 'query', '', null),
  id_token_signature_alg: fc.constantFrom(...SIGNATURE_ALGS, 'PS256', '', null),
  userinfo_signed_response_alg: fc.constantFrom(...SIGNATURE_ALGS, 'none', '', null),
  signatures_adapter: fc.constantFrom(
    'Elixir.Boruta.Internal.Signatures',
    'Elixir.Boruta.Universal.Signatures',
    '',
    null,
  ),
  key_pair_type: keyPairType,
  identity_provider: fc.oneof(
    fc.constantFrom(...world.identityProviderIds).map((id) => ({ id })),
    fc.constantFrom(...world.identityProviderIds).map((id) => ({ id: id.toUpperCase() })),
    fc.uuid().map((id) => ({ id })),
    fc.constantFrom({ id: 'bad' }, { id: null }, { id: '' }, {}, null, 'string', [1]),
  ),
  authorized_scopes: fc.oneof(
    fc.array(
      fc.oneof(
        fc.constantFrom(...world.scopeIds).map((id) => ({ id })),
        fc.constantFrom(...world.scopeNames).map((name) => ({ name })),
        fc.constantFrom('generated:a', 'generated:b', 'generated:c').map((name) => ({ name, public: true })),
        fc.uuid().map((id) => ({ id })),
        fc.constantFrom({ id: 'bad' }, { name: 'has space' }, { name: '' }, {}, { id: null, name: 'generated:a' }),
      ),
      { maxLength: 6 },
    ),
    fc.constant(null),
  ),
});

/** A JSON body: mostly `{"client": {...}}` with a few fields, sometimes a malformed one. */
export function updateBody(world: World): fc.Arbitrary<string> {
  const values = fieldValues(world);
  const field = fc.constantFrom(...Object.keys(values));
  const client = fc
    .uniqueArray(field, { minLength: 0, maxLength: 5 })
    .chain((fields) =>
      fc.tuple(
        ...fields.map((name) =>
          fc
            .oneof({ weight: 4, arbitrary: values[name] as fc.Arbitrary<unknown> }, { weight: 1, arbitrary: hostile })
            .map((value) => [name, value] as const),
        ),
      ),
    )
    .chain((pairs) =>
      fc
        .dictionary(fc.constantFrom('unknown', 'id', 'did', 'public_key', 'private_key', ...PROTO_KEYS), hostile, {
          maxKeys: 2,
        })
        .map((extra) => ({ ...extra, ...Object.fromEntries(pairs) })),
    );
  return fc.oneof(
    { weight: 30, arbitrary: client.map((fields) => JSON.stringify({ client: fields })) },
    { weight: 1, arbitrary: hostile.map((value) => JSON.stringify({ client: value })) },
    {
      weight: 1,
      arbitrary: fc.constantFrom('{"client":', 'not json', '', '[]', '{}', '{"client":{"authorized_scopes":"openid"}}'),
    },
  );
}

/** Requests to the scope and identity provider write routes: accepted and refused values mixed. */
export interface ResourceRequest {
  route: 'create' | 'update' | 'delete';
  resource: 'scope' | 'identity-provider';
  id: string;
  body: string;
}

const BODY_KEYS = { scope: 'scope', 'identity-provider': 'identity_provider' } as const;

export function resourceRequest(ids: string[], names: string[]): fc.Arbitrary<ResourceRequest> {
  const id = fc.oneof(fc.constantFrom(...ids), fc.uuid(), fc.constantFrom('bad', '', null, 1));
  const name = fc.oneof(
    fc.constantFrom(...names, 'clients:manage:all', 'has space', '', ' ', null, 'Case:Sensitive', 'x'.repeat(256)),
    fc.string({ maxLength: 12 }),
  );
  const fields = fc.record(
    {
      id,
      name,
      label: fc.oneof(fc.string({ maxLength: 10 }), fc.constantFrom(null, '', ' ', 1, 'y'.repeat(256))),
      public: fc.constantFrom(true, false, 'true', '0', 'yes', null, 1),
      backend_id: fc.constant('ignored'),
      edit: fc.boolean(),
    },
    { requiredKeys: [] },
  );
  const body = (key: string) =>
    fc.oneof(
      { weight: 20, arbitrary: fields.map((value) => JSON.stringify({ [key]: value })) },
      { weight: 1, arbitrary: hostile.map((value) => JSON.stringify({ [key]: value })) },
      { weight: 1, arbitrary: fc.constantFrom('{', '[]', '{}', `{"${key}":null}`, 'null') },
    );
  return fc
    .tuple(
      fc.constantFrom('create', 'update', 'delete' as const),
      fc.constantFrom('scope', 'identity-provider' as const),
      fc.constantFrom(...ids),
    )
    .chain(([route, resource, target]) =>
      body(BODY_KEYS[resource]).map((text) => ({ route, resource, id: target, body: text }) as ResourceRequest),
    );
}
