import type { CreateTableCommandInput, StreamViewType } from '@aws-sdk/client-dynamodb';

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
  /** The lock that keeps identity provider names unique. */
  identityProviderName: 'IDENTITY_PROVIDER_NAME',
  /** A client's link to the identity provider it copies. */
  identityProviderLink: 'IDENTITY_PROVIDER_LINK',
  scope: 'SCOPE',
  /** The lock that keeps scope names unique. */
  scopeName: 'SCOPE_NAME',
  /** A client's link to a scope it copies. */
  scopeLink: 'SCOPE_LINK',
  /** The one item counting scopes against their quota. */
  scopeCount: 'SCOPE_COUNT',
  /** The one item counting identity providers against their quota. */
  identityProviderCount: 'IDENTITY_PROVIDER_COUNT',
} as const;
export type ItemKind = (typeof ITEM_KINDS)[keyof typeof ITEM_KINDS];

/**
 * The table's time-to-live attribute (epoch seconds): a deleted client's tombstone carries it,
 * and DynamoDB removes the tombstone some time after (TTL deletes within days, not on the dot).
 */
export const EXPIRY_ATTRIBUTE = 'expires_at';

/**
 * The table's stream, which the history publisher reads: the new image holds each write's
 * history entry, so the old image is not needed. A replicated (global) table keeps both images,
 * as DynamoDB's replication expects and as CDK sets by default; its view type cannot change
 * while it has replicas.
 */
export function historyStreamViewType(replicated: boolean): StreamViewType {
  return replicated ? 'NEW_AND_OLD_IMAGES' : 'NEW_IMAGE';
}

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
    // DynamoDB Local serves it to the local event poller; dynalite accepts and ignores it.
    StreamSpecification: { StreamEnabled: true, StreamViewType: historyStreamViewType(false) },
  };
}
