import {
  type ClientPatch,
  type UpdateLookups,
  type UpdatePlan,
  withCreatedScopeLinks,
  withCreatedScopes,
} from '../domain/update-plan.js';
import type { ClientStore } from '../store/client-store.js';

/**
 * The scopes a ready plan names but that do not exist yet, created (or found, when a concurrent
 * request created them first), and the plan's patch and lookups linking them by id.
 */
export async function withPlannedScopes(
  store: ClientStore,
  plan: Extract<UpdatePlan, { status: 'ready' }>,
  lookups: UpdateLookups,
): Promise<{ patch: ClientPatch; lookups: UpdateLookups }> {
  if (plan.newScopeNames.length === 0) return { patch: plan.patch, lookups };
  const created = await store.ensureScopes(plan.newScopeNames);
  return { patch: withCreatedScopeLinks(plan.patch, created), lookups: withCreatedScopes(lookups, created) };
}
