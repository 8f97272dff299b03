import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { IdentityProvider } from '../domain/identity-provider.js';
import { DynamoDbNamedResources } from './dynamodb-named-resources.js';
import { DynamoDbTable, type Item } from './dynamodb-table.js';
import type { IdentityProviderStore } from './identity-provider-store.js';
import { ITEM_KINDS } from './table-definition.js';

/** Identity providers: `pk` IDENTITY_PROVIDER, `sk` the id; name locks `pk` IDENTITY_PROVIDER_NAME. */
export class DynamoDbIdentityProviderStore
  extends DynamoDbNamedResources<IdentityProvider>
  implements IdentityProviderStore
{
  constructor(documents: DynamoDBDocumentClient | DynamoDbTable, tableName?: string) {
    const table = documents instanceof DynamoDbTable ? documents : new DynamoDbTable(documents, tableName as string);
    super(table, { item: ITEM_KINDS.identityProvider, name: ITEM_KINDS.identityProviderName }, toIdentityProvider);
  }
}

export function toIdentityProvider(item: Item): IdentityProvider {
  return { id: item.id as string, name: (item.name as string | undefined) ?? '' };
}
