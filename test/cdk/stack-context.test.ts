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

  it('reads an introspection endpoint with its client, secret and authentication method', () => {
    expect(
      propsFor({
        introspectionUrl: 'https://boruta.example.com/oauth/introspect',
        introspectionClientId: 'c1',
        introspectionSecret: 'clients-api/introspection',
        introspectionAuthMethod: 'client_secret_post',
      }).issuer,
    ).toEqual({
      introspectionUrl: 'https://boruta.example.com/oauth/introspect',
      introspectionClientId: 'c1',
      introspectionSecret: 'clients-api/introspection',
      introspectionAuthMethod: 'client_secret_post',
    });
  });

  it('reads the allowed CORS origins (comma-separated) and the scope prefix', () => {
    expect(
      propsFor({ corsOrigins: 'https://admin.example.com, http://localhost:4001', scopePrefix: 'api://clients/' }),
    ).toMatchObject({
      corsOrigins: ['https://admin.example.com', 'http://localhost:4001'],
      scopePrefix: 'api://clients/',
    });
    expect(propsFor({ corsOrigins: ['https://admin.example.com'] }).corsOrigins).toEqual(['https://admin.example.com']);
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
    [
      { issuerUrl: 'https://idp.example.com', cognitoUserPoolId: 'x' },
      /one of cognitoUserPoolId, issuerUrl and introspectionUrl/,
    ],
    [
      { introspectionUrl: 'https://boruta.example.com/oauth/introspect', issuerUrl: 'https://idp.example.com' },
      /one of cognitoUserPoolId, issuerUrl and introspectionUrl/,
    ],
  ])('refuses %j', (context, message) => {
    expect(() => propsFor(context)).toThrow(message);
  });
});
