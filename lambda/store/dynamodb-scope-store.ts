import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { RESOURCE_LIMITS } from '../domain/resource-limits.js';
import type { Scope } from '../domain/scope.js';
import { DynamoDbNamedResources, type NamedResourceLimits } from './dynamodb-named-resources.js';
import { DynamoDbTable, type Item } from './dynamodb-table.js';
import type { ScopeStore } from './scope-store.js';
import { ITEM_KINDS } from './table-definition.js';

/** Scopes: `pk` SCOPE, `sk` the id; name locks `pk` SCOPE_NAME, `sk` the name; their count: SCOPE_COUNT. */
export class DynamoDbScopeStore extends DynamoDbNamedResources<Scope> implements ScopeStore {
  constructor(
    documents: DynamoDBDocumentClient | DynamoDbTable,
    tableName?: string,
    limits: NamedResourceLimits = RESOURCE_LIMITS.scope,
  ) {
    const table = documents instanceof DynamoDbTable ? documents : new DynamoDbTable(documents, tableName as string);
    super(table, { item: ITEM_KINDS.scope, name: ITEM_KINDS.scopeName, count: ITEM_KINDS.scopeCount }, toScope, limits);
  }
}

/** Items from before labels and versions read as unlabelled. */
export function toScope(item: Item): Scope {
  return {
    id: item.id as string,
    name: item.name as string,
    label: (item.label as string | undefined) ?? null,
    public: item.public === true,
  };
}
