import type { IdentityProvider } from '../domain/identity-provider.js';
import type { NamedResourceStore } from './named-resource-store.js';

/** The persistence of identity providers: items keyed by id, names unique through their lock items. */
export type IdentityProviderStore = NamedResourceStore<IdentityProvider>;
