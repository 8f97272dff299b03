import { expect } from 'vitest';
import type { Client } from '../../lambda/domain/client.js';
import type { FieldErrors } from '../../lambda/domain/field-errors.js';
import { type ClientPatch, planUpdate, type UpdateLookups, type UpdatePlan } from '../../lambda/domain/update-plan.js';
import { parseUpdateRequest } from '../../lambda/domain/update-request.js';
import { HISTORY_BYTES, storedClient } from './clients.js';

export const NO_LOOKUPS: UpdateLookups = {
  identityProviders: new Map(),
  scopesById: new Map(),
  scopesByName: new Map(),
};

export function plan(
  fields: Record<string, unknown>,
  stored: Client = storedClient(),
  lookups = NO_LOOKUPS,
): UpdatePlan {
  const parsed = parseUpdateRequest({ client: fields });
  if (!parsed.ok) throw new Error(`body rejected: ${JSON.stringify(parsed.errors)}`);
  return planUpdate(parsed.request, stored, lookups, HISTORY_BYTES);
}

export function errorsOf(fields: Record<string, unknown>, stored?: Client, lookups?: UpdateLookups): FieldErrors {
  const result = plan(fields, stored, lookups);
  expect(result.status).toBe('invalid');
  return result.status === 'invalid' ? result.errors : {};
}

export function patchOf(fields: Record<string, unknown>, stored?: Client, lookups?: UpdateLookups): ClientPatch {
  const result = plan(fields, stored, lookups);
  expect(result).toMatchObject({ status: 'ready' });
  return result.status === 'ready' ? result.patch : {};
}
