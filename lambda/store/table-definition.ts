import type { CreateTableCommandInput } from '@aws-sdk/client-dynamodb';

/**
 * The one table: every item is addressed by `pk` (what it is and its id) and `sk`. The CDK
 * stack and the local engines both create the table from these keys.
 */
export const PARTITION_KEY = 'pk';
export const SORT_KEY = 'sk';

/** The partition key values: one partition per kind of item. */
export const ITEM_KINDS = {
  client: 'CLIENT',
  identityProvider: 'IDENTITY_PROVIDER',
  scope: 'SCOPE',
  /** The lock that keeps scope names unique. */
  scopeName: 'SCOPE_NAME',
} as const;
export type ItemKind = (typeof ITEM_KINDS)[keyof typeof ITEM_KINDS];

export function createTableInput(tableName: string): CreateTableCommandInput {
  return {
    TableName: tableName,
    BillingMode: 'PAY_PER_REQUEST',
    AttributeDefinitions: [
      { AttributeName: PARTITION_KEY, AttributeType: 'S' },
      { AttributeName: SORT_KEY, AttributeType: 'S' },
    ],
    KeySchema: [
      { AttributeName: PARTITION_KEY, KeyType: 'HASH' },
      { AttributeName: SORT_KEY, KeyType: 'RANGE' },
    ],
  };
}
