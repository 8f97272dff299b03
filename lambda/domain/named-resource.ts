import * as v from 'valibot';
import { isBlankString, isPlainObject } from './client-fields.js';
import { FieldErrorCollector, type FieldErrors } from './field-errors.js';
import { canonicalUuid } from './uuid.js';

/**
 * What scopes and identity providers share: a body `{"<key>": {...}}`, an id a create may choose,
 * a unique name, and field errors collected from valibot issues.
 */

export const BLANK = "can't be blank";
export const TAKEN = 'has already been taken';

export type ParsedResourceBody = { ok: true; fields: Record<string, unknown> } | { ok: false; errors: FieldErrors };

/** The object under `key`, or the 400 errors of a body that is not `{"<key>": {...}}`. */
export function parseResourceBody(body: unknown, key: string): ParsedResourceBody {
  if (!isPlainObject(body)) return { ok: false, errors: { resource: ['must be a JSON object'] } };
  if (!Object.hasOwn(body, key)) return { ok: false, errors: { [key]: ['is required'] } };
  const fields = body[key];
  return isPlainObject(fields) ? { ok: true, fields } : { ok: false, errors: { [key]: ['must be an object'] } };
}

export type CreatedId = { ok: true; id: string | undefined } | { ok: false; errors: FieldErrors };

/** A create honours a UUID id (lower-cased); null or blank means "generate one", as upstream. */
export function chosenId(fields: Record<string, unknown>): CreatedId {
  const { id } = fields;
  if (id === undefined || id === null || isBlankString(id)) return { ok: true, id: undefined };
  const canonical = canonicalUuid(id);
  return canonical ? { ok: true, id: canonical } : { ok: false, errors: { id: ['is invalid'] } };
}

/** Blank strings read as null before the schema runs (Ecto casts "" to nil). */
export function blankAsNull<T extends v.GenericSchema>(schema: T) {
  return v.pipe(
    v.unknown(),
    v.transform((input) => (isBlankString(input) ? null : input)),
    schema,
  );
}

/** Validates the fields an object schema knows; each failing field gets all its messages. */
export function validateFields<T extends v.ObjectEntries>(
  entries: T,
  fields: Record<string, unknown>,
): { ok: true; values: Partial<v.InferOutput<v.ObjectSchema<T, undefined>>> } | { ok: false; errors: FieldErrors } {
  const result = v.safeParse(v.partial(v.object(entries)), fields, { message: 'is invalid' });
  if (result.success)
    return { ok: true, values: result.output as Partial<v.InferOutput<v.ObjectSchema<T, undefined>>> };
  const errors = new FieldErrorCollector();
  for (const issue of result.issues) errors.add(String(issue.path?.[0]?.key), issue.message);
  return { ok: false, errors: errors.toJSON() };
}

/** Byte order of the UTF-8 names, the order a list answers in. */
export function byName<T extends { name: string }>(first: T, second: T): number {
  return Buffer.compare(Buffer.from(first.name), Buffer.from(second.name));
}

export type CreatePlan<T> =
  | { status: 'ready'; id: string | undefined; record: T }
  | { status: 'invalid'; errors: FieldErrors };
export type ChangesPlan<T> = { status: 'ready'; changes: Partial<T> } | { status: 'invalid'; errors: FieldErrors };

/**
 * A create: the chosen id, every field through its schema and `name` required; all failing
 * fields in one answer. What is not given takes its default.
 */
export function planCreate<T extends { name: string }>(
  entries: v.ObjectEntries,
  fields: Record<string, unknown>,
  defaults: Omit<T, 'name'>,
): CreatePlan<T> {
  const id = chosenId(fields);
  const validated = validateFields(entries, fields);
  const errors: FieldErrors = { ...(id.ok ? {} : id.errors), ...(validated.ok ? {} : validated.errors) };
  if (!Object.hasOwn(fields, 'name')) errors.name = [BLANK];
  if (!id.ok || !validated.ok || errors.name) return { status: 'invalid', errors };
  return { status: 'ready', id: id.id, record: { ...defaults, ...validated.values } as T };
}

/** An update: only the keys given change; unknown keys (and `id`) are ignored. */
export function planChanges<T>(entries: v.ObjectEntries, fields: Record<string, unknown>): ChangesPlan<T> {
  const validated = validateFields(entries, fields);
  return validated.ok
    ? { status: 'ready', changes: validated.values as Partial<T> }
    : { status: 'invalid', errors: validated.errors };
}
