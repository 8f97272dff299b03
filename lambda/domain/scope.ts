import * as v from 'valibot';
import type { ScopeLink } from './client.js';
import { boolean, LIMITS, text } from './client-fields.js';
import { BLANK, blankAsNull, type ChangesPlan, type CreatePlan, planChanges, planCreate } from './named-resource.js';

/** A scope as the API shows it (upstream's `scope_view.ex`): exactly these four keys. */
export interface Scope {
  id: string;
  name: string;
  label: string | null;
  public: boolean;
}

export type ScopeFields = Omit<Scope, 'id'>;

/** Scopes the admin API's own authorization rests on: never updated or deleted through it. */
export const PROTECTED_SCOPE_NAMES: readonly string[] = [
  'users:manage:all',
  'clients:manage:all',
  'identity-providers:manage:all',
  'scopes:manage:all',
  'roles:manage:all',
  'upstreams:manage:all',
];

const LABEL_MAX = 255;

/**
 * A scope name: a string with no whitespace anywhere, short enough to be a DynamoDB key. Scopes
 * are case-sensitive (RFC 6749 §3.3), and so is their uniqueness.
 */
const scopeName = v.pipe(
  v.string(),
  v.check((name) => !/\s/u.test(name), 'must not contain whitespace'),
  v.maxLength(LIMITS.scopeName, `should be at most ${LIMITS.scopeName} character(s)`),
);

/** The by-name path of a client update attaches (or creates) a scope only for such a name. */
export function isUsableScopeName(name: unknown): name is string {
  return typeof name === 'string' && name.length > 0 && v.is(scopeName, name);
}

const SCOPE_FIELDS = {
  name: blankAsNull(v.nonNullable(scopeName, BLANK)),
  label: blankAsNull(v.nullable(text(LABEL_MAX))),
  public: v.nonNullable(boolean, 'must not be null'),
};

export const ScopeViewSchema = v.strictObject({
  id: v.string(),
  name: v.string(),
  label: v.nullable(v.string()),
  public: v.boolean(),
});

export type ScopeView = v.InferOutput<typeof ScopeViewSchema>;

export function planScopeCreate(fields: Record<string, unknown>): CreatePlan<ScopeFields> {
  return planCreate<ScopeFields>(SCOPE_FIELDS, fields, { label: null, public: false });
}

export function planScopeChanges(fields: Record<string, unknown>): ChangesPlan<ScopeFields> {
  return planChanges<ScopeFields>(SCOPE_FIELDS, fields);
}

/** The view: exactly the keys of upstream's scope (the admin UI's model throws on any other). */
export function toScopeView(scope: Scope): ScopeView {
  return { id: scope.id, name: scope.name, label: scope.label ?? null, public: scope.public === true };
}

/** What a client keeps of a scope (its label is not copied). */
export function scopeLink(scope: Scope): ScopeLink {
  return { id: scope.id, name: scope.name, public: scope.public === true };
}
