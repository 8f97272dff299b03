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
/** `{"n": {"n": ... "leaf"}}`, `depth` levels deep: DynamoDB refuses more than 32. */
const nested = (depth: number): unknown => (depth === 0 ? 'leaf' : { n: nested(depth - 1) });

/** What upstream keeps beside the four known keys, and everything a hostile caller may put there. */
const keyPairTypeExtras = fc.dictionary(
  fc.oneof(
    { weight: 3, arbitrary: fc.constantFrom('note', 'kid', 'use', 'key_ops', 'x-vendor') },
    {
      weight: 1,
      arbitrary: fc.constantFrom('', ' ', '_x', '1st', 'has space', 'n'.repeat(64), 'n'.repeat(65), ...PROTO_KEYS),
    },
    { weight: 1, arbitrary: fc.string({ maxLength: 8 }) },
  ),
  fc.oneof(
    { weight: 4, arbitrary: fc.string({ maxLength: 20 }) },
    { weight: 1, arbitrary: fc.string({ minLength: 254, maxLength: 257 }) },
    {
      weight: 2,
      arbitrary: fc.constantFrom(Number.MAX_SAFE_INTEGER + 2, -(2 ** 60), 1e300, 1e-300, 0.1, 42, -0, true, null),
    },
    { weight: 1, arbitrary: fc.oneof(fc.integer(), fc.double()) },
    { weight: 1, arbitrary: fc.integer({ min: 1, max: 40 }).map(nested) },
    { weight: 1, arbitrary: fc.constant(JSON.parse('{"__proto__":{"polluted":true}}')) },
    { weight: 1, arbitrary: fc.oneof(fc.array(fc.string({ maxLength: 3 }), { maxLength: 3 }), deep) },
  ),
  { maxKeys: 12 },
);

const keyPairType = (rsaModulusSizes: string[]) =>
  fc.oneof(
    fc.constantFrom(
      { type: 'rsa', modulus_size: '1024' },
      { type: 'rsa', modulus_size: '4097' },
      { type: 'rsa', modulus_size: '8192', exponent_size: '65537' },
      { type: 'rsa', modulus_size: '2048', exponent_size: '3' },
      { type: 'rsa' },
      { type: 'ec', curve: 'P-256' },
      { type: 'ec', curve: 'P-512' },
      { type: 'ec', curve: 'P-384', modulus_size: '2048', exponent_size: '65537' },
      { type: 'ec' },
      { type: 'universal' },
      { type: 'dsa' },
      { modulus_size: 2048 },
      { type: 1 },
    ),
    fc.constantFrom(...rsaModulusSizes).map((modulus_size) => ({ type: 'rsa', modulus_size, exponent_size: '65537' })),
    fc
      .tuple(
        fc.constantFrom({ type: 'rsa', modulus_size: rsaModulusSizes[0] }, { type: 'ec', curve: 'P-256' }),
        keyPairTypeExtras,
      )
      .map(([known, extras]) => ({ ...extras, ...known })),
    fc.constantFrom(null, '', 'rsa', []),
  );

/** Names no scope has yet: most requests that send them create scopes. */
const newScopeName = fc.oneof(
  fc.stringMatching(/^new:[a-z0-9]{8}$/),
  fc
    .tuple(fc.integer({ min: 240, max: 260 }), fc.stringMatching(/^[a-z0-9]{8}$/))
    .map(([length, tag]) => `long:${tag}:`.padEnd(length, 'x')),
);

/** Lists past the 100-item cap, which must cost no read: the same name, many names, ids. */
const overCapScopes = fc.oneof(
  fc
    .integer({ min: 98, max: 103 })
    .map((count) => Array.from({ length: count }, (_, index) => ({ name: `bulk:${index}` }))),
  fc
    .integer({ min: 101, max: 4000 })
    .map((count) => Array.from({ length: count }, (_, index) => ({ name: `bulk:${index}` }))),
  fc.integer({ min: 101, max: 3000 }).map((count) => Array.from({ length: count }, () => ({ name: 'openid' }))),
  fc.integer({ min: 101, max: 1500 }).map((count) =>
    Array.from({ length: count }, (_, index) => ({
      id: `00000000-0000-4000-8000-${String(index).padStart(12, '0')}`,
    })),
  ),
);

const fieldValues = (world: World, rsaModulusSizes: string[]): Record<string, fc.Arbitrary<unknown>> => ({
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
  key_pair_type: keyPairType(rsaModulusSizes),
  identity_provider: fc.oneof(
    fc.constantFrom(...world.identityProviderIds).map((id) => ({ id })),
    fc.constantFrom(...world.identityProviderIds).map((id) => ({ id: id.toUpperCase() })),
    fc.uuid().map((id) => ({ id })),
    fc.constantFrom({ id: 'bad' }, { id: null }, { id: '' }, {}, null, 'string', [1]),
  ),
  authorized_scopes: fc.oneof(
    {
      weight: 6,
      arbitrary: fc.array(
        fc.oneof(
          fc.constantFrom(...world.scopeIds).map((id) => ({ id })),
          fc.constantFrom(...world.scopeNames).map((name) => ({ name })),
          fc.constantFrom('generated:a', 'generated:b', 'generated:c').map((name) => ({ name, public: true })),
          newScopeName.map((name) => ({ name })),
          fc.uuid().map((id) => ({ id })),
          fc.constantFrom({ id: 'bad' }, { name: 'has space' }, { name: '' }, {}, { id: null, name: 'generated:a' }),
        ),
        { maxLength: 12 },
      ),
    },
    { weight: 1, arbitrary: overCapScopes },
    { weight: 1, arbitrary: fc.constant(null) },
  ),
});

/**
 * A body nested deeper than JSON.stringify's stack (or DynamoDB's 32 levels) can follow, as text:
 * the generator cannot build it as an object and stringify it.
 */
const deeplyNestedBody = fc
  .tuple(fc.constantFrom('key_pair_type', 'name', 'authorized_scopes'), fc.integer({ min: 33, max: 30000 }))
  .map(([field, depth]) => {
    const value = `${'['.repeat(depth)}${']'.repeat(depth)}`;
    const client =
      field === 'key_pair_type'
        ? `{"key_pair_type":{"type":"rsa","modulus_size":"2048","n":${value}}}`
        : field === 'name'
          ? `{"name":${value}}`
          : `{"authorized_scopes":[{"name":${value}}]}`;
    return `{"client":${client}}`;
  });

/** The fields of one body: a few of them, each a value it may take or hostile input, plus stray keys. */
function clientFields(values: Record<string, fc.Arbitrary<unknown>>, extraKeys: string[]) {
  const field = fc.constantFrom(...Object.keys(values));
  return fc
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
        .dictionary(fc.constantFrom(...extraKeys, ...PROTO_KEYS), hostile, { maxKeys: 2 })
        .map((extra) => ({ ...extra, ...Object.fromEntries(pairs) })),
    );
}

/** A JSON body from client fields: mostly `{"client": {...}}`, sometimes malformed or nested too deep. */
function body(client: fc.Arbitrary<Record<string, unknown>>): fc.Arbitrary<string> {
  return fc.oneof(
    { weight: 30, arbitrary: client.map((fields) => JSON.stringify({ client: fields })) },
    { weight: 1, arbitrary: hostile.map((value) => JSON.stringify({ client: value })) },
    { weight: 1, arbitrary: deeplyNestedBody },
    {
      weight: 1,
      arbitrary: fc.constantFrom('{"client":', 'not json', '', '[]', '{}', '{"client":{"authorized_scopes":"openid"}}'),
    },
  );
}

/** PUT and PATCH bodies, with keys the update ignores among the stray ones. */
export function updateBody(world: World): fc.Arbitrary<string> {
  return body(
    clientFields(fieldValues(world, ['2048', '4096']), ['unknown', 'id', 'did', 'public_key', 'private_key']),
  );
}

/**
 * POST bodies: an identity provider most of the time, and mostly key types whose keys are quick
 * to generate (RSA 2048 takes a tenth of a second, 4096 over a second).
 */
export function createBody(world: World): fc.Arbitrary<string> {
  const values = fieldValues(world, ['2048']);
  // A blank secret is left out: what it gives on create is tested apart.
  const { identity_provider, secret: _blankable, ...others } = values;
  const quickKeys = fc.oneof(
    { weight: 1, arbitrary: fc.constant({}) },
    {
      weight: 6,
      arbitrary: fc.constantFrom(
        { key_pair_type: { type: 'ec', curve: 'P-256' }, id_token_signature_alg: 'ES256' },
        { key_pair_type: { type: 'ec', curve: 'P-521', note: 'v2' }, id_token_signature_alg: 'HS512' },
        {
          key_pair_type: { type: 'universal' },
          signatures_adapter: 'Elixir.Boruta.Universal.Signatures',
          id_token_signature_alg: 'EdDSA',
        },
      ),
    },
  );
  const client = fc
    .tuple(
      quickKeys,
      fc.option(identity_provider as fc.Arbitrary<unknown>, { freq: 6, nil: undefined }),
      fc.option(
        fc.string({ minLength: 1, maxLength: 40 }).filter((text) => text.trim() !== ''),
        { nil: undefined },
      ),
      clientFields(others, ['unknown', 'did', 'public_key']),
      fc.oneof(
        { weight: 6, arbitrary: fc.constant(undefined) },
        { weight: 2, arbitrary: fc.uuid() },
        { weight: 1, arbitrary: fc.constantFrom('not-a-uuid', 42) },
      ),
    )
    .map(([keys, identityProvider, secretValue, fields, id]) => ({
      ...keys,
      ...fields,
      ...(identityProvider !== undefined && { identity_provider: identityProvider }),
      ...(secretValue !== undefined && { secret: secretValue }),
      ...(id !== undefined && { id }),
    }));
  return body(client);
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
