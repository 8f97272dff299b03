import type { Scope } from '../domain/scope.js';
import type { NamedResourceStore } from './named-resource-store.js';

/** The persistence of scopes: items keyed by id, names unique through their lock items. */
export type ScopeStore = NamedResourceStore<Scope>;
