import { RemovalPolicy } from 'aws-cdk-lib';
import { AttributeType, Billing, StreamViewType, TableEncryptionV2, TableV2 } from 'aws-cdk-lib/aws-dynamodb';
import { Grant, type IGrantable } from 'aws-cdk-lib/aws-iam';
import { Key } from 'aws-cdk-lib/aws-kms';
import { Construct } from 'constructs';
import {
  EXPIRY_ATTRIBUTE,
  historyStreamViewType,
  type ItemKind,
  PARTITION_KEY,
  SORT_KEY,
} from '../lambda/store/table-definition.js';

export interface ClientsTableProps {
  /** RETAIN (default) also turns deletion protection on; DESTROY suits throwaway stacks. */
  removalPolicy?: RemovalPolicy;
  /** Regions that get a replica: the table becomes a global table. */
  replicaRegions?: string[];
  /**
   * A customer-managed KMS key, created here with rotation, instead of the AWS-managed key.
   * With replicas, give each replica region's key ARN in `replicaKeyArns`.
   */
  customerManagedKey?: boolean;
  replicaKeyArns?: Record<string, string>;
}

/** The one table of the API (keys, stream and TTL from lambda/store/table-definition.ts), on demand. */
export class ClientsTable extends Construct {
  readonly table: TableV2;
  readonly encryptionKey?: Key;

  constructor(scope: Construct, id: string, props: ClientsTableProps = {}) {
    super(scope, id);
    const removalPolicy = props.removalPolicy ?? RemovalPolicy.RETAIN;
    if (props.customerManagedKey) {
      this.encryptionKey = new Key(this, 'Key', {
        description: 'Encrypts the OAuth clients table (client secrets and private keys)',
        enableKeyRotation: true,
        removalPolicy,
      });
    }
    this.table = new TableV2(this, 'Table', {
      partitionKey: { name: PARTITION_KEY, type: AttributeType.STRING },
      sortKey: { name: SORT_KEY, type: AttributeType.STRING },
      billing: Billing.onDemand(),
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      deletionProtection: removalPolicy === RemovalPolicy.RETAIN,
      removalPolicy,
      encryption: this.encryptionKey
        ? TableEncryptionV2.customerManagedKey(this.encryptionKey, props.replicaKeyArns)
        : TableEncryptionV2.awsManagedKey(),
      replicas: props.replicaRegions?.map((region) => ({ region })),
      // The history publisher reads the stream; deleted clients' tombstones expire by TTL.
      dynamoStream: StreamViewType[historyStreamViewType((props.replicaRegions ?? []).length > 0)],
      timeToLiveAttribute: EXPIRY_ATTRIBUTE,
    });
  }

  /**
   * Exactly the item actions given, on this table only, and only on items whose partition key is
   * one of `partitions` (`dynamodb:LeadingKeys`), with `select` only Queries that ask for it; and
   * the table's key, when customer-managed.
   */
  grant(grantee: IGrantable, actions: string[], partitions: readonly ItemKind[], select?: 'COUNT'): void {
    // A function that never touches the table (GET /api/key-pairs) gets nothing, not an empty statement.
    if (actions.length === 0) return;
    Grant.addToPrincipal({
      grantee,
      actions,
      resourceArns: [this.table.tableArn],
      conditions: {
        'ForAllValues:StringEquals': { 'dynamodb:LeadingKeys': [...partitions] },
        // A Query that only counts: no item of the partition is returned.
        ...(select && { StringEquals: { 'dynamodb:Select': select } }),
      },
    });
    // What DynamoDB asks of the caller's identity to use a customer-managed table key, spelled
    // out rather than grantEncryptDecrypt's wildcards.
    this.encryptionKey?.grant(
      grantee,
      'kms:Decrypt',
      'kms:Encrypt',
      'kms:GenerateDataKey',
      'kms:ReEncryptFrom',
      'kms:ReEncryptTo',
      'kms:DescribeKey',
    );
  }
}
