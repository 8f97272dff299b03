import { Duration, type RemovalPolicy, Validations } from 'aws-cdk-lib';
import { type CfnArchive, EventBus } from 'aws-cdk-lib/aws-events';
import { FilterCriteria, FilterRule, StartingPosition } from 'aws-cdk-lib/aws-lambda';
import { DynamoEventSource, SqsDlq } from 'aws-cdk-lib/aws-lambda-event-sources';
import type { NodejsFunction } from 'aws-cdk-lib/aws-lambda-nodejs';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { itemKeys } from '../lambda/store/dynamodb-client-store.js';
import { ApiFunction } from './api-function.js';
import type { ClientsTable } from './clients-table.js';

export interface ClientHistoryEventsProps {
  clientsTable: ClientsTable;
  /** The events' `source`: the API's name. */
  source: string;
  /** How long the archive keeps events; 0 keeps them forever. */
  archiveRetentionDays: number;
  /** Applied to the bus and its archive: RETAIN keeps the change record when the stack goes. */
  removalPolicy: RemovalPolicy;
}

/** Stream records of this age are given up: the stream still holds them 12 more hours for a replay. */
const MAX_RECORD_AGE = Duration.hours(12);

/**
 * Client history beyond the ring in each item: the table's stream feeds a function that
 * publishes each new history entry as a `Client Changed` event on a bus of its own, which
 * archives them. Records the function cannot publish after its retries go to a queue (their
 * shard and sequence numbers, not their content), from which an operator can replay them.
 */
export class ClientHistoryEvents extends Construct {
  readonly bus: EventBus;
  readonly publisher: NodejsFunction;
  readonly failedRecords: Queue;

  constructor(scope: Construct, id: string, props: ClientHistoryEventsProps) {
    super(scope, id);
    this.bus = new EventBus(this, 'Bus', { description: 'Client Changed events of the clients admin API' });
    this.bus.applyRemovalPolicy(props.removalPolicy);
    const archive = this.bus.archive('Archive', {
      description: 'Every Client Changed event, for audits and replays',
      eventPattern: { source: [props.source] },
      retention: props.archiveRetentionDays > 0 ? Duration.days(props.archiveRetentionDays) : undefined,
    });
    archive.applyRemovalPolicy(props.removalPolicy);
    // Without a key, aws-cdk-lib writes `KmsKeyIdentifier: ""`, which CloudFormation refuses in
    // some regions (GeneralServiceException, aws/aws-cdk#37847): absent, the archive uses the
    // AWS owned key, as intended.
    (archive.node.defaultChild as CfnArchive).addPropertyDeletionOverride('KmsKeyIdentifier');

    this.failedRecords = new Queue(this, 'FailedRecords', {
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
    });
    Validations.of(this.failedRecords).acknowledge({
      id: 'AwsSolutions-SQS3',
      reason:
        'This queue is the on-failure destination of the stream: a dead-letter queue itself, read by an operator.',
    });

    const { function: publisher } = new ApiFunction(this, 'Publisher', {
      handlerFile: 'publish-client-changes.ts',
      description: 'Publishes each client history entry from the table stream to EventBridge',
      memorySize: 256,
      timeout: Duration.seconds(30),
      environment: { EVENT_BUS_NAME: this.bus.eventBusName, EVENT_SOURCE: props.source },
    });
    this.publisher = publisher;
    this.bus.grantPutEventsTo(publisher);
    publisher.addEventSource(
      new DynamoEventSource(props.clientsTable.table, {
        // From the oldest record the stream holds, so that no entry is skipped when the mapping is (re)created.
        startingPosition: StartingPosition.TRIM_HORIZON,
        batchSize: 100,
        maxBatchingWindow: Duration.seconds(1),
        // One batch at a time per shard keeps each client's events in version order.
        parallelizationFactor: 1,
        retryAttempts: 10,
        maxRecordAge: MAX_RECORD_AGE,
        bisectBatchOnError: true,
        reportBatchItemFailures: true,
        onFailure: new SqsDlq(this.failedRecords),
        // Scopes, identity providers and deletions by TTL never reach the function.
        filters: [
          FilterCriteria.filter({
            eventName: FilterRule.or('INSERT', 'MODIFY'),
            dynamodb: { Keys: { pk: { S: FilterRule.isEqual(itemKeys.client('').pk) } } },
          }),
        ],
      }),
    );
  }
}
