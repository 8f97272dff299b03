import { App, RemovalPolicy } from 'aws-cdk-lib';
import { describe, expect, it } from 'vitest';
import { stackPropsFromContext } from '../../lib/stack-context.js';

const propsFor = (context: Record<string, unknown>) => stackPropsFromContext(new App({ context }).node);

describe('stack settings from CDK context', () => {
  it('defaults to a created issuer and retained data', () => {
    expect(propsFor({})).toEqual({
      issuer: undefined,
      requiredScope: undefined,
      protectedClientIds: undefined,
      removalPolicy: RemovalPolicy.RETAIN,
      replicaRegions: undefined,
      customerManagedKey: false,
      replicaKeyArns: {},
      throttling: undefined,
      cognitoDomainPrefix: undefined,
    });
  });

  it('reads command-line strings, lists separated by commas', () => {
    expect(
      propsFor({
        issuerUrl: 'https://idp.example.com/',
        audience: 'a, b',
        protectedClientIds: 'id-1,id-2',
        removalPolicy: 'destroy',
        replicaRegions: 'eu-central-1',
        customerManagedKey: 'true',
        replicaKeyArns: 'eu-central-1=arn:aws:kms:eu-central-1:1:key/k',
        throttleRate: '5',
        requiredScope: 'admin',
        eventArchiveRetentionDays: '30',
        historyCapacity: '20',
        historyRetentionDays: '90',
      }),
    ).toMatchObject({
      issuer: {
        issuerUrl: 'https://idp.example.com/',
        jwksUri: undefined,
        audience: ['a', 'b'],
        acceptAnyAudience: false,
      },
      protectedClientIds: ['id-1', 'id-2'],
      removalPolicy: RemovalPolicy.DESTROY,
      replicaRegions: ['eu-central-1'],
      customerManagedKey: true,
      replicaKeyArns: { 'eu-central-1': 'arn:aws:kms:eu-central-1:1:key/k' },
      throttling: { rateLimit: 5, burstLimit: 100 },
      requiredScope: 'admin',
      eventArchiveRetentionDays: 30,
      historyCapacity: 20,
      historyRetentionDays: 90,
    });
  });

  it('reads JSON lists from cdk.json', () => {
    expect(
      propsFor({ cognitoUserPoolId: 'eu-west-1_A', cognitoClientIds: ['c1', 'c2'], cognitoResourceServer: 'admin' })
        .issuer,
    ).toEqual({
      cognitoUserPoolId: 'eu-west-1_A',
      cognitoClientIds: ['c1', 'c2'],
      cognitoResourceServer: 'admin',
    });
  });

  it('reads the explicit waiver of the audience check', () => {
    expect(propsFor({ issuerUrl: 'https://idp.example.com/', acceptAnyAudience: 'true' }).issuer).toEqual({
      issuerUrl: 'https://idp.example.com/',
      jwksUri: undefined,
      audience: undefined,
      acceptAnyAudience: true,
    });
  });

  it.each([
    [{ removalPolicy: 'snapshot' }, /removalPolicy must be retain or destroy/],
    [{ eventArchiveRetentionDays: '-1' }, /eventArchiveRetentionDays must be a whole number of days/],
    [{ eventArchiveRetentionDays: '1.5' }, /eventArchiveRetentionDays must be a whole number of days/],
    [{ historyCapacity: 'fifty' }, /historyCapacity must be a whole number, not fifty/],
    [{ historyRetentionDays: '-7' }, /historyRetentionDays must be a whole number, not -7/],
    [{ issuerUrl: 'http://idp.example.com' }, /issuerUrl must be an https URL/],
    [{ issuerUrl: 'https://idp.example.com', cognitoUserPoolId: 'x' }, /either cognitoUserPoolId or issuerUrl/],
  ])('refuses %j', (context, message) => {
    expect(() => propsFor(context)).toThrow(message);
  });
});
