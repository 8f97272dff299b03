import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { IdentityProvider } from '../domain/identity-provider.js';
import { RESOURCE_LIMITS } from '../domain/resource-limits.js';
import { DynamoDbNamedResources, type NamedResourceLimits } from './dynamodb-named-resources.js';
import { DynamoDbTable, type Item } from './dynamodb-table.js';
import type { IdentityProviderStore } from './identity-provider-store.js';
import { ITEM_KINDS } from './table-definition.js';

/**
 * Identity providers: `pk` IDENTITY_PROVIDER, `sk` the id; name locks `pk` IDENTITY_PROVIDER_NAME;
 * their count in IDENTITY_PROVIDER_COUNT.
 */
export class DynamoDbIdentityProviderStore
  extends DynamoDbNamedResources<IdentityProvider>
  implements IdentityProviderStore
{
  constructor(
    documents: DynamoDBDocumentClient | DynamoDbTable,
    tableName?: string,
    limits: NamedResourceLimits = RESOURCE_LIMITS['identity-provider'],
  ) {
    const table = documents instanceof DynamoDbTable ? documents : new DynamoDbTable(documents, tableName as string);
    const partitions = {
      item: ITEM_KINDS.identityProvider,
      name: ITEM_KINDS.identityProviderName,
      count: ITEM_KINDS.identityProviderCount,
    };
    super(table, partitions, toIdentityProvider, limits);
  }
}

export function toIdentityProvider(item: Item): IdentityProvider {
  return { id: item.id as string, name: (item.name as string | undefined) ?? '' };
}
