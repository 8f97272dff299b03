import type { FieldErrors } from '../domain/field-errors.js';
import { limitReached } from '../domain/resource-limits.js';
import {
  type ClientPatch,
  type UpdateLookups,
  type UpdatePlan,
  withCreatedScopeLinks,
  withCreatedScopes,
} from '../domain/update-plan.js';
import type { ClientStore } from '../store/client-store.js';

export type PlannedScopes =
  | { status: 'ready'; patch: ClientPatch; lookups: UpdateLookups }
  | { status: 'invalid'; errors: FieldErrors };

/**
 * The scopes a ready plan names but that do not exist yet, created (or found, when a concurrent
 * request created them first), and the plan's patch and lookups linking them by id. Past the
 * scopes' quota, none is created and the request is refused (422 on `authorized_scopes`) rather
 * than saved without them: the caller asked for these scopes, and an answer that silently lacks
 * them would be read as done.
 */
export async function withPlannedScopes(
  store: ClientStore,
  plan: Extract<UpdatePlan, { status: 'ready' }>,
  lookups: UpdateLookups,
): Promise<PlannedScopes> {
  if (plan.newScopeNames.length === 0) return { status: 'ready', patch: plan.patch, lookups };
  const ensured = await store.ensureScopes(plan.newScopeNames);
  if (ensured.status === 'limit-reached') {
    return {
      status: 'invalid',
      errors: { authorized_scopes: [limitReached(ensured.quota, 'scope')] },
    };
  }
  const { scopes } = ensured;
  return {
    status: 'ready',
    patch: withCreatedScopeLinks(plan.patch, scopes),
    lookups: withCreatedScopes(lookups, scopes),
  };
}
