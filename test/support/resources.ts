import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { ClientCopies } from '../../lambda/app/client-copies.js';
import { CreateClient } from '../../lambda/app/create-client.js';
import { DeleteIdentityProvider, identityProviderUseCases } from '../../lambda/app/identity-providers.js';
import { DeleteScope, scopeUseCases } from '../../lambda/app/scopes.js';
import { UpdateClient } from '../../lambda/app/update-client.js';
import type { Client } from '../../lambda/domain/client.js';
import { parseUpdateRequest } from '../../lambda/domain/update-request.js';
import type { ClientStore } from '../../lambda/store/client-store.js';
import { DynamoDbClientStore } from '../../lambda/store/dynamodb-client-store.js';
import { DynamoDbIdentityProviderStore } from '../../lambda/store/dynamodb-identity-provider-store.js';
import { DynamoDbScopeStore } from '../../lambda/store/dynamodb-scope-store.js';
import type { IdentityProviderStore } from '../../lambda/store/identity-provider-store.js';
import type { ScopeStore } from '../../lambda/store/scope-store.js';
import { ADMIN_ORIGIN, SEEDED } from './clients.js';

export interface Stores {
  clients: ClientStore;
  scopes: ScopeStore;
  providers: IdentityProviderStore;
}

export function dynamoDbStores(documents: DynamoDBDocumentClient, tableName: string): Stores {
  return {
    clients: new DynamoDbClientStore(documents, tableName),
    scopes: new DynamoDbScopeStore(documents, tableName),
    providers: new DynamoDbIdentityProviderStore(documents, tableName),
  };
}

/** The use cases over stores, each of which a test may wrap (pause or crash a step). */
export function useCases(stores: Stores, options: { protectedClientIds?: string[]; clock?: () => number } = {}) {
  const { clients, scopes, providers } = stores;
  return {
    updateClient: (clientId: string, fields: Record<string, unknown>, ifMatch?: (version: number) => boolean) =>
      new UpdateClient(clients, { protectedClientIds: [], retryBaseDelayMs: 1 }).execute(
        clientId,
        request(fields),
        ADMIN_ORIGIN,
        ifMatch,
      ),
    createClient: (fields: Record<string, unknown>) => new CreateClient(clients).execute(request(fields), ADMIN_ORIGIN),
    scopes: scopeUseCases(scopes, clients),
    deleteScope: (id: string) => new DeleteScope(scopes, clients).execute(id, ADMIN_ORIGIN),
    providers: identityProviderUseCases(providers, clients),
    deleteProvider: (id: string) =>
      new DeleteIdentityProvider(providers, clients, {
        protectedClientIds: options.protectedClientIds ?? [],
        clock: options.clock,
      }).execute(id, ADMIN_ORIGIN),
  };
}

function request(fields: Record<string, unknown>) {
  const parsed = parseUpdateRequest({ client: fields });
  if (!parsed.ok) throw new Error(`body rejected: ${JSON.stringify(parsed.errors)}`);
  return parsed.request;
}

/** A client stored as seeds and imports store one: links first, then the item. */
export async function givenClient(clients: ClientStore, client: Client): Promise<void> {
  await new ClientCopies(clients).link(client, 1);
  await clients.putClient(client, SEEDED);
}
