import * as v from 'valibot';
import type { IdentityProviderLink } from './client.js';
import { text } from './client-fields.js';
import { BLANK, blankAsNull, type ChangesPlan, type CreatePlan, planChanges, planCreate } from './named-resource.js';

/**
 * An identity provider as this service keeps it: an id and a unique name (spaces allowed).
 * Upstream's providers also have a backend and feature flags; this service serves no backends,
 * so those keys are ignored on input and never shown.
 */
export interface IdentityProvider {
  id: string;
  name: string;
}

export type IdentityProviderFields = Omit<IdentityProvider, 'id'>;

const NAME_MAX = 255;

const IDENTITY_PROVIDER_FIELDS = {
  name: blankAsNull(v.nonNullable(text(NAME_MAX), BLANK)),
};

/** Exactly `id` and `name`: both are in the admin UI model's table; `backend: null` would throw. */
export const IdentityProviderViewSchema = v.strictObject({ id: v.string(), name: v.string() });

export type IdentityProviderView = v.InferOutput<typeof IdentityProviderViewSchema>;

export function planIdentityProviderCreate(fields: Record<string, unknown>): CreatePlan<IdentityProviderFields> {
  return planCreate<IdentityProviderFields>(IDENTITY_PROVIDER_FIELDS, fields, {});
}

export function planIdentityProviderChanges(fields: Record<string, unknown>): ChangesPlan<IdentityProviderFields> {
  return planChanges<IdentityProviderFields>(IDENTITY_PROVIDER_FIELDS, fields);
}

export function toIdentityProviderView(provider: IdentityProvider): IdentityProviderView {
  return { id: provider.id, name: provider.name };
}

/** What a client keeps of its identity provider. */
export function identityProviderLink(provider: IdentityProvider): IdentityProviderLink {
  return { id: provider.id, name: provider.name };
}

/** The refusal of a delete while clients link the provider; ids ascending, joined by ", ". */
export function linkedClientsErrors(clientIds: readonly string[]): Record<string, string[]> {
  const ids = [...clientIds].sort();
  return { client_identity_providers: [`identity provider is associated with client(s) ${ids.join(', ')}`] };
}
