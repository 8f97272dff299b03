import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { Scope } from '../domain/scope.js';
import { DynamoDbNamedResources } from './dynamodb-named-resources.js';
import { DynamoDbTable, type Item } from './dynamodb-table.js';
import type { ScopeStore } from './scope-store.js';
import { ITEM_KINDS } from './table-definition.js';

/** Scopes: `pk` SCOPE, `sk` the id; name locks `pk` SCOPE_NAME, `sk` the name. */
export class DynamoDbScopeStore extends DynamoDbNamedResources<Scope> implements ScopeStore {
  constructor(documents: DynamoDBDocumentClient | DynamoDbTable, tableName?: string) {
    const table = documents instanceof DynamoDbTable ? documents : new DynamoDbTable(documents, tableName as string);
    super(table, { item: ITEM_KINDS.scope, name: ITEM_KINDS.scopeName }, toScope);
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
