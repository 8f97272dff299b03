import * as v from 'valibot';
import { checkClientFields, isBlankString, isPlainObject, LIMITS } from './client-fields.js';
import { FieldErrorCollector, type FieldErrors } from './field-errors.js';
import { isUsableScopeName } from './scope.js';
import { canonicalUuid } from './uuid.js';

/**
 * The shape of an update body (CONTRACT §2, 400) and what it asks of the client's identity
 * provider and scopes (CONTRACT §4 "Associations"). Field values are checked later, against
 * the stored client, by `planUpdate`.
 */

export type ScopeReference = { id: string } | { name: string };

export type IdentityProviderChange =
  | { kind: 'keep' }
  | { kind: 'replace'; id: string }
  | { kind: 'invalid'; message: string };

export interface UpdateRequest {
  /** The raw `client` object: only the keys it holds change. */
  fields: Record<string, unknown>;
  identityProvider: IdentityProviderChange;
  /** undefined keeps the stored scopes; an empty list clears them. Each reference once. */
  scopes: ScopeReference[] | undefined;
  /**
   * Keys and did as an import gives them, unchecked until planned against the key type. The API
   * ignores these keys in a body: they change only through their own routes.
   */
  imported?: ImportedKeyMaterial;
}

export interface ImportedKeyMaterial {
  public_key?: unknown;
  private_key?: unknown;
  did?: unknown;
}

export type ParsedUpdateRequest =
  | { ok: true; request: UpdateRequest }
  /** 400: the body's shape is wrong; 422: a list that drives reads is over its cap. */
  | { ok: false; status: 400 | 422; errors: FieldErrors };

const plainObject = (message: string) => v.custom<Record<string, unknown>>(isPlainObject, message);

const UpdateBodySchema = v.pipe(
  plainObject('must be a JSON object'),
  v.object(
    {
      client: v.pipe(
        plainObject('must be an object'),
        v.looseObject({
          authorized_scopes: v.optional(v.nullable(v.array(plainObject('items must be objects'), 'must be an array'))),
        }),
      ),
    },
    'is required',
  ),
);

/**
 * The body of an update or a create. `authorized_scopes` is capped here, counted as sent (before
 * unusable items are dropped and duplicates merged), so that a request can never cost more than
 * 100 scope reads: over the cap it is refused before anything is read, with every other failing
 * field (those that need no stored client) in the same 422.
 */
export function parseUpdateRequest(body: unknown): ParsedUpdateRequest {
  const result = v.safeParse(UpdateBodySchema, body);
  if (!result.success) return { ok: false, status: 400, errors: badRequestErrors(result.issues) };
  const fields = result.output.client;
  const scopeItems = fields.authorized_scopes as unknown[] | null | undefined;
  if (scopeItems && scopeItems.length > LIMITS.listItems) {
    const { errors } = checkClientFields(fields);
    errors.add('authorized_scopes', `should have at most ${LIMITS.listItems} item(s)`);
    return { ok: false, status: 422, errors: errors.toJSON() };
  }
  return {
    ok: true,
    request: {
      fields,
      identityProvider: identityProviderChange(fields.identity_provider),
      scopes: scopeReferences(fields.authorized_scopes as Record<string, unknown>[] | null | undefined),
    },
  };
}

function badRequestErrors(issues: readonly v.BaseIssue<unknown>[]): FieldErrors {
  const errors = new FieldErrorCollector();
  for (const issue of issues) {
    const keys = (issue.path ?? []).map((item) => item.key).filter((key) => typeof key === 'string');
    errors.add(keys.at(-1) ?? 'resource', issue.message);
  }
  return errors.toJSON();
}

function identityProviderChange(value: unknown): IdentityProviderChange {
  if (value === undefined || value === null) return { kind: 'keep' };
  if (!isPlainObject(value)) return { kind: 'invalid', message: 'is invalid' };
  if (!Object.hasOwn(value, 'id')) return { kind: 'keep' };
  if (value.id === null || isBlankString(value.id)) return { kind: 'invalid', message: "can't be blank" };
  const id = canonicalUuid(value.id);
  return id ? { kind: 'replace', id } : { kind: 'invalid', message: 'has invalid format' };
}

/**
 * An item with an id is looked up by id only; otherwise a usable name attaches (or creates) the
 * scope of that name; anything else is dropped, as upstream does. Each id and name is kept once,
 * where it first appears.
 */
function scopeReferences(items: Record<string, unknown>[] | null | undefined): ScopeReference[] | undefined {
  if (items === undefined) return undefined;
  const references = new Map<string, ScopeReference>();
  for (const { id, name } of items ?? []) {
    if (id !== undefined && id !== null && !isBlankString(id)) {
      const uuid = canonicalUuid(id);
      if (uuid && !references.has(`id ${uuid}`)) references.set(`id ${uuid}`, { id: uuid });
    } else if (isUsableScopeName(name) && !references.has(`name ${name}`)) {
      references.set(`name ${name}`, { name });
    }
  }
  return [...references.values()];
}

/**
 * A client of a seed file or an import: the body rules of the API, plus what only an import may
 * set (`private_key`, with its `public_key` and `did`). A client may have no identity provider
 * there, as upstream's data can: the export of one shows `{"id": null, "name": null}`.
 */
export function parseImportRequest(fields: Record<string, unknown>): ParsedUpdateRequest {
  const provider = fields.identity_provider;
  const withoutProvider = isPlainObject(provider) && (provider.id === null || isBlankString(provider.id));
  const parsed = parseUpdateRequest({ client: withoutProvider ? { ...fields, identity_provider: null } : fields });
  if (!parsed.ok) return parsed;
  // An export shows public_key and did: without the private key they describe a pair that cannot
  // be imported, and the client keeps (or is given) a pair of its own.
  if (fields.private_key === undefined) return parsed;
  const imported: ImportedKeyMaterial = { public_key: fields.public_key, private_key: fields.private_key };
  if (fields.did !== undefined) imported.did = fields.did;
  return { ok: true, request: { ...parsed.request, imported } };
}
