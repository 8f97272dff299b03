import { RemovalPolicy } from 'aws-cdk-lib';
import { Match, type Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { synthesize } from './stack.js';

function onlyResource(template: Template, type: string, properties: Record<string, unknown> = {}) {
  const resources = Object.entries(template.findResources(type, { Properties: properties }));
  expect(resources).toHaveLength(1);
  const [logicalId, resource] = resources[0] as [string, { Properties: Record<string, unknown> }];
  return { logicalId, resource };
}

function publisher(template: Template) {
  return onlyResource(template, 'AWS::Lambda::Function', {
    Description: Match.stringLikeRegexp('client history entry from the table stream'),
  });
}

function publisherStatements(template: Template) {
  const role = (publisher(template).resource.Properties.Role as { 'Fn::GetAtt': [string] })['Fn::GetAtt'][0];
  return Object.values(template.findResources('AWS::IAM::Policy', { Properties: { Roles: [{ Ref: role }] } })).flatMap(
    (policy) => policy.Properties.PolicyDocument.Statement,
  );
}

describe('client history events in the default stack', () => {
  let template: Template;
  let bus: string;
  let queue: string;
  let table: string;
  beforeAll(() => {
    template = synthesize();
    table = onlyResource(template, 'AWS::DynamoDB::GlobalTable').logicalId;
    bus = onlyResource(template, 'AWS::Events::EventBus').logicalId;
    queue = onlyResource(template, 'AWS::SQS::Queue').logicalId;
  });

  it('streams the new image of every client write, and lets tombstones expire by TTL', () => {
    template.hasResourceProperties('AWS::DynamoDB::GlobalTable', {
      StreamSpecification: { StreamViewType: 'NEW_IMAGE' },
      TimeToLiveSpecification: { AttributeName: 'expires_at', Enabled: true },
    });
  });

  it('archives the API’s events on the bus for 365 days, and keeps both when the stack goes', () => {
    template.hasResource('AWS::Events::EventBus', { DeletionPolicy: 'Retain' });
    template.hasResource('AWS::Events::Archive', {
      DeletionPolicy: 'Retain',
      Properties: {
        SourceArn: { 'Fn::GetAtt': [bus, 'Arn'] },
        EventPattern: { source: ['clients-admin-api'] },
        RetentionDays: 365,
      },
    });
  });

  it('names no KMS key on the archive, so that it deploys in every region with the AWS owned key', () => {
    const archive = onlyResource(template, 'AWS::Events::Archive').resource;

    expect(archive.Properties).not.toHaveProperty('KmsKeyIdentifier');
  });

  it('runs the publisher on 256 MB for up to 30 s, configured with the bus and the API’s name', () => {
    expect(publisher(template).resource.Properties).toMatchObject({
      MemorySize: 256,
      Timeout: 30,
      Runtime: 'nodejs24.x',
      Environment: { Variables: { EVENT_BUS_NAME: { Ref: bus }, EVENT_SOURCE: 'clients-admin-api' } },
    });
  });

  it('feeds the publisher client writes from the stream, in order, with retries, bisection, partial failures and a failure queue', () => {
    const { resource } = onlyResource(template, 'AWS::Lambda::EventSourceMapping');
    const { FilterCriteria, ...mapping } = resource.Properties as {
      FilterCriteria: { Filters: { Pattern: string }[] };
    };

    expect(mapping).toEqual({
      EventSourceArn: { 'Fn::GetAtt': [table, 'StreamArn'] },
      FunctionName: { Ref: publisher(template).logicalId },
      StartingPosition: 'TRIM_HORIZON',
      BatchSize: 100,
      MaximumBatchingWindowInSeconds: 1,
      ParallelizationFactor: 1,
      MaximumRetryAttempts: 10,
      MaximumRecordAgeInSeconds: 43_200,
      BisectBatchOnFunctionError: true,
      FunctionResponseTypes: ['ReportBatchItemFailures'],
      DestinationConfig: { OnFailure: { Destination: { 'Fn::GetAtt': [queue, 'Arn'] } } },
    });
    expect(FilterCriteria.Filters.map(({ Pattern }) => JSON.parse(Pattern))).toEqual([
      { eventName: ['INSERT', 'MODIFY'], dynamodb: { Keys: { pk: { S: ['CLIENT'] } } } },
    ]);
  });

  it('lets the publisher put events on its bus, read the stream and report failures, and nothing else', () => {
    const stream = { 'Fn::GetAtt': [table, 'StreamArn'] };
    const grants = publisherStatements(template)
      .filter((statement: { Effect: string }) => statement.Effect === 'Allow')
      .flatMap((statement: { Action: string | string[]; Resource: unknown }) =>
        [statement.Action].flat().map((action) => [action, statement.Resource]),
      )
      .filter(([action]) => !/^(logs|xray):/.test(action as string))
      .sort(([first], [second]) => ((first as string) < (second as string) ? -1 : 1));

    expect(grants).toEqual([
      ['dynamodb:DescribeStream', stream],
      ['dynamodb:GetRecords', stream],
      ['dynamodb:GetShardIterator', stream],
      ['dynamodb:ListStreams', stream],
      ['events:PutEvents', { 'Fn::GetAtt': [bus, 'Arn'] }],
      ['sqs:GetQueueAttributes', { 'Fn::GetAtt': [queue, 'Arn'] }],
      ['sqs:GetQueueUrl', { 'Fn::GetAtt': [queue, 'Arn'] }],
      ['sqs:SendMessage', { 'Fn::GetAtt': [queue, 'Arn'] }],
    ]);
  });

  it('keeps the records it could not publish 14 days, encrypted, over TLS only', () => {
    template.hasResourceProperties('AWS::SQS::Queue', {
      MessageRetentionPeriod: 1_209_600,
      SqsManagedSseEnabled: true,
    });
    template.hasResourceProperties('AWS::SQS::QueuePolicy', {
      Queues: [{ Ref: queue }],
      PolicyDocument: {
        Statement: [Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } })],
      },
    });
  });

  it('outputs the bus name for consumers’ rules', () => {
    expect(template.findOutputs('EventBusName')).toEqual({
      EventBusName: { Value: { Ref: bus } },
    });
  });
});

describe('client history events in other deployments', () => {
  it('archives for the days given, or forever with 0', () => {
    const month = synthesize({ eventArchiveRetentionDays: 30 });
    const forever = synthesize({ eventArchiveRetentionDays: 0 });

    month.hasResourceProperties('AWS::Events::Archive', { RetentionDays: 30 });
    // EventBridge keeps the events of an archive with 0 retention days indefinitely.
    forever.hasResourceProperties('AWS::Events::Archive', { RetentionDays: 0 });
  });

  it('deletes the bus and its archive with the stack when data is thrown away', () => {
    const template = synthesize({ removalPolicy: RemovalPolicy.DESTROY });

    template.hasResource('AWS::Events::EventBus', { DeletionPolicy: 'Delete' });
    template.hasResource('AWS::Events::Archive', { DeletionPolicy: 'Delete' });
  });

  it('streams both images of a replicated table, as its replication expects', () => {
    synthesize({ replicaRegions: ['eu-central-1'] }).hasResourceProperties('AWS::DynamoDB::GlobalTable', {
      StreamSpecification: { StreamViewType: 'NEW_AND_OLD_IMAGES' },
    });
  });

  it('lets the publisher decrypt the stream of a table under a customer-managed key', () => {
    const template = synthesize({ customerManagedKey: true });

    expect(publisherStatements(template)).toContainEqual(
      expect.objectContaining({
        Action: expect.arrayContaining(['kms:Decrypt']),
        Resource: { 'Fn::GetAtt': [expect.stringMatching(/^ClientsKey/), 'Arn'] },
      }),
    );
  });
});
