import type { CopyKind } from './client-copies.js';

/**
 * What one deployment may hold of each named resource. Their lists are not paged (upstream's
 * admin UI reads them whole), so the count is what keeps a list's answer under Lambda's 6 MB and
 * its read cost bounded. Every path that creates one (its POST, a client's `authorized_scopes`
 * by name, seeds and imports) takes a slot of the quota first.
 *
 * `listCeiling`: the most a list reads before it gives up (a 500, logged) instead of answering
 * past Lambda's limit: what the list budget holds of the largest possible view (a name and a
 * label of 255 control characters, each `\u0001` in the body and `\\u0001` in Lambda's answer).
 * The quota stays well below it: the margin absorbs creations that were in flight while the
 * count was rebuilt (see the counter in dynamodb-resource-counter.ts).
 */
export const RESOURCE_LIMITS: Record<CopyKind, { quota: number; listCeiling: number; plural: string }> = {
  // The largest scope view takes 3,666 bytes of Lambda's answer: 1,430 fit in the budget.
  scope: { quota: 1000, listCeiling: 1400, plural: 'scopes' },
  // The largest identity provider view takes 1,849 bytes (id and name only): 2,835 fit.
  'identity-provider': { quota: 2000, listCeiling: 2800, plural: 'identity providers' },
};

/**
 * What a list may put in Lambda's answer: Lambda refuses answers over 6 MB (API Gateway then
 * answers 502), and the body travels JSON-escaped inside the proxy result.
 */
export const LIST_BUDGET_BYTES = 5 * 1024 * 1024;

/** The 422 message of a creation past the quota (the deployment's, or a smaller one in tests). */
export function limitReached(quota: number, kind: CopyKind): string {
  return `limit of ${quota} ${RESOURCE_LIMITS[kind].plural} reached`;
}
