import * as v from 'valibot';
import { isBlankString, isPlainObject } from './client-fields.js';
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
  /** undefined keeps the stored scopes; an empty list clears them. */
  scopes: ScopeReference[] | undefined;
}

export type ParsedUpdateRequest = { ok: true; request: UpdateRequest } | { ok: false; errors: FieldErrors };

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

export function parseUpdateRequest(body: unknown): ParsedUpdateRequest {
  const result = v.safeParse(UpdateBodySchema, body);
  if (!result.success) return { ok: false, errors: badRequestErrors(result.issues) };
  const fields = result.output.client;
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
 * scope of that name; anything else is dropped, as upstream does.
 */
function scopeReferences(items: Record<string, unknown>[] | null | undefined): ScopeReference[] | undefined {
  if (items === undefined) return undefined;
  const references: ScopeReference[] = [];
  for (const { id, name } of items ?? []) {
    if (id !== undefined && id !== null && !isBlankString(id)) {
      const uuid = canonicalUuid(id);
      if (uuid) references.push({ id: uuid });
    } else if (isUsableScopeName(name)) {
      references.push({ name });
    }
  }
  return references;
}
