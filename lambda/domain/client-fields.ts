import * as v from 'valibot';
import {
  type Client,
  GRANT_TYPES,
  INTERNAL_SIGNATURES_ADAPTER,
  RESPONSE_MODES,
  SIGNATURE_ALGS,
  TOKEN_ENDPOINT_AUTH_METHODS,
  TOKEN_ENDPOINT_JWT_AUTH_ALGS,
  TTL_MAXIMUMS,
} from './client.js';
import { FieldErrorCollector } from './field-errors.js';
import { keyPairTypeMessages } from './key-pair-type.js';
import { isValidRedirectUri } from './redirect-uri.js';

/**
 * One valibot schema per client field the update accepts (CONTRACT §4): normalise blanks,
 * cast, then the field's rules. Issues without an explicit message read "is invalid" (the
 * parse config), which is upstream's word for every cast and inclusion failure.
 */

export const INVALID = 'is invalid';
const BLANK = "can't be blank";
const NIL = "can't be nil";

export function isBlankString(value: unknown): value is string {
  return typeof value === 'string' && value.trim() === '';
}

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

const integer = v.union([
  v.pipe(v.number(), v.integer()),
  v.pipe(v.string(), v.regex(/^[+-]?\d+$/), v.transform(Number)),
]);

export const boolean = v.union([
  v.boolean(),
  v.pipe(
    v.picklist(['true', 'false', '1', '0']),
    v.transform((text) => text === 'true' || text === '1'),
  ),
]);

/**
 * Caps on sizes (docs/api.md "Limits"): generous for any real client, and low enough that no client
 * the API writes can approach DynamoDB's 400 KB item limit.
 */
export const LIMITS = {
  name: 255,
  publicClientId: 255,
  secret: 1024,
  trustedAuthorities: 8192,
  jwtPublicKey: 16384,
  trustedHost: 255,
  redirectUri: 2048,
  listItems: 100,
  vocabularyListItems: 20,
  // Scope names become DynamoDB keys; longer ones are dropped like other unusable names.
  scopeName: 255,
} as const;

export const text = (max: number) => v.pipe(v.string(), v.maxLength(max, `should be at most ${max} character(s)`));

/** A list of strings without its blank entries, at most `maxItems` of them. */
const stringList = (item: v.GenericSchema<unknown, string> = v.string(), maxItems: number = LIMITS.listItems) =>
  v.pipe(
    v.array(item),
    v.transform((items) => items.filter((entry) => !isBlankString(entry))),
    v.maxLength(maxItems, `should have at most ${maxItems} item(s)`),
  );

const signatureAlg = v.picklist(SIGNATURE_ALGS);

const keyPairType = v.pipe(
  v.custom<Record<string, unknown>>(isPlainObject),
  v.rawCheck(({ dataset, addIssue }) => {
    if (!dataset.typed) return;
    for (const message of keyPairTypeMessages(dataset.value)) addIssue({ message });
  }),
);

const redirectUris = v.pipe(
  stringList(text(LIMITS.redirectUri)),
  v.rawCheck(({ dataset, addIssue }) => {
    if (!dataset.typed) return;
    for (const uri of dataset.value) {
      if (!isValidRedirectUri(uri)) addIssue({ message: `\`${uri}\` is invalid` });
    }
  }),
);

const ttl = (max: number) => v.pipe(integer, v.minValue(1), v.maxValue(max));

/** Blank strings become the field's default (null where it has none), before casting. */
function blankAs<T extends v.GenericSchema>(fallback: string | null, schema: T) {
  return v.pipe(
    v.unknown(),
    v.transform((input) => (isBlankString(input) ? fallback : input)),
    schema,
  );
}

const required = <T extends v.GenericSchema>(schema: T, blankDefault: string | null = null) =>
  blankAs(blankDefault, v.nonNullable(schema, BLANK));
const notNil = <T extends v.GenericSchema>(schema: T, blankDefault: string | null = null) =>
  blankAs(blankDefault, v.nonNullable(schema, NIL));
const nullable = <T extends v.GenericSchema>(schema: T, blankDefault: string | null = null) =>
  blankAs(blankDefault, v.nullable(schema));

export const CLIENT_FIELD_SCHEMAS = {
  public_client_id: nullable(text(LIMITS.publicClientId)),
  check_public_client_id: required(boolean),
  trusted_authorities: notNil(text(LIMITS.trustedAuthorities), ''),
  trusted_hosts: notNil(stringList(text(LIMITS.trustedHost))),
  name: nullable(text(LIMITS.name)),
  secret: nullable(text(LIMITS.secret)),
  confidential: required(boolean),
  redirect_uris: required(redirectUris),
  public_refresh_token: required(boolean),
  public_revoke: required(boolean),
  authorize_scope: required(boolean),
  enforce_dpop: required(boolean),
  enforce_tx_code: required(boolean),
  access_token_ttl: required(ttl(TTL_MAXIMUMS.access_token_ttl)),
  authorization_code_ttl: required(ttl(TTL_MAXIMUMS.authorization_code_ttl)),
  authorization_request_ttl: required(ttl(TTL_MAXIMUMS.authorization_request_ttl)),
  refresh_token_ttl: required(ttl(TTL_MAXIMUMS.refresh_token_ttl)),
  id_token_ttl: required(ttl(TTL_MAXIMUMS.id_token_ttl)),
  pkce: required(boolean),
  key_pair_type: required(keyPairType),
  signatures_adapter: required(v.string(), INTERNAL_SIGNATURES_ADAPTER),
  supported_grant_types: nullable(
    v.pipe(
      stringList(v.string(), LIMITS.vocabularyListItems),
      v.everyItem(
        (grantType) => (GRANT_TYPES as readonly string[]).includes(grantType),
        `must be part of ${GRANT_TYPES.join(', ')}`,
      ),
    ),
  ),
  id_token_signature_alg: nullable(signatureAlg, 'RS512'),
  userinfo_signed_response_alg: nullable(signatureAlg),
  token_endpoint_jwt_auth_alg: required(v.picklist(TOKEN_ENDPOINT_JWT_AUTH_ALGS), 'HS256'),
  token_endpoint_auth_methods: required(
    v.pipe(
      stringList(v.string(), LIMITS.vocabularyListItems),
      v.everyItem(
        (method) => (TOKEN_ENDPOINT_AUTH_METHODS as readonly string[]).includes(method),
        'has an invalid entry',
      ),
    ),
  ),
  jwt_public_key: nullable(text(LIMITS.jwtPublicKey)),
  response_mode: nullable(v.picklist(RESPONSE_MODES), 'direct_post'),
} satisfies { [field in keyof Client]?: v.GenericSchema };

export type ClientField = keyof typeof CLIENT_FIELD_SCHEMAS;
export const CLIENT_FIELDS = Object.keys(CLIENT_FIELD_SCHEMAS) as ClientField[];

/** The validated value of every client field present in a request. */
export type ClientFieldChanges = { [field in ClientField]?: Client[field] };

const ClientChangesSchema = v.partial(v.object(CLIENT_FIELD_SCHEMAS));

/**
 * Every client field a request holds through its own rule: the values that passed, and the
 * messages of those that failed (unknown keys are ignored).
 */
export function checkClientFields(fields: Record<string, unknown>): {
  changes: ClientFieldChanges;
  errors: FieldErrorCollector;
} {
  const errors = new FieldErrorCollector();
  const result = v.safeParse(ClientChangesSchema, fields, { message: INVALID });
  for (const issue of result.issues ?? []) errors.add(String(issue.path?.[0]?.key), issue.message);
  return { changes: result.output as ClientFieldChanges, errors };
}
