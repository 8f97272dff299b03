import { RemovalPolicy } from 'aws-cdk-lib';
import { Match, type Template } from 'aws-cdk-lib/assertions';
import { PolicyStatement, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { beforeAll, describe, expect, it } from 'vitest';
import { API_FUNCTIONS, API_ROUTES, type FunctionSpec, methodsByResource } from '../../lib/api-routes.js';
import { SettingsError } from '../../lib/settings-error.js';
import { FEATURE_FLAGS, functionNamed, resourceIdOf, synthesize } from './stack.js';

const UNAUTHORIZED_BODY =
  '{"code":"UNAUTHORIZED","message":"You are unauthorized to access this resource.","errors":{"resource":["you are unauthorized to access this resource."]}}';
const FORBIDDEN_BODY =
  '{"code":"FORBIDDEN","message":"You are forbidden to access this resource.","errors":{"resource":["you are forbidden to access this resource."]}}';

/** The IAM statements of a function's role that grant DynamoDB actions. */
function dynamoDbStatements(template: Template, description: RegExp) {
  const { properties } = functionNamed(template, description);
  const policies = template.findResources('AWS::IAM::Policy', {
    Properties: { Roles: [{ Ref: properties.Role['Fn::GetAtt'][0] }] },
  });
  const statements = Object.values(policies).flatMap((policy) => policy.Properties.PolicyDocument.Statement);
  return statements.filter((statement) =>
    [statement.Action].flat().some((action: string) => action.startsWith('dynamodb:')),
  );
}

const escapeRegExp = (text: string) => text.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');

describe('the default stack (Cognito created, retained data)', () => {
  let template: Template;
  beforeAll(() => {
    template = synthesize({ protectedClientIds: ['0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d'] });
  });

  it('runs every function on the latest Node.js runtime, arm64, traced, with JSON logs in its own log group', () => {
    const functions = template.findResources('AWS::Lambda::Function');
    // One function per entry of the shared definition, the authorizer and the history publisher.
    const count = Object.keys(API_FUNCTIONS).length + 2;
    expect(Object.keys(functions)).toHaveLength(count);
    for (const { Properties } of Object.values(functions)) {
      expect(Properties).toMatchObject({
        Runtime: 'nodejs24.x',
        Architectures: ['arm64'],
        Handler: 'index.handler',
        TracingConfig: { Mode: 'Active' },
        LoggingConfig: { LogFormat: 'JSON', LogGroup: { Ref: expect.any(String) } },
      });
    }
    template.resourcePropertiesCountIs('AWS::Logs::LogGroup', { RetentionInDays: 30 }, count);
  });

  it('sizes the functions: 512 MB and 10 s to update, 256 MB and 5 s to authorize', () => {
    expect(functionNamed(template, /PUT and PATCH \/api\/clients/).properties).toMatchObject({
      MemorySize: 512,
      Timeout: 10,
    });
    expect(functionNamed(template, /Verifies bearer tokens/).properties).toMatchObject({ MemorySize: 256, Timeout: 5 });
  });

  it('gives the functions that generate keys a whole vCPU (1,769 MB)', () => {
    expect(functionNamed(template, /^POST \/api\/clients$/).properties).toMatchObject({ MemorySize: 1769 });
    expect(functionNamed(template, /regenerate_key_pair/).properties).toMatchObject({ MemorySize: 1769 });
  });

  it('lets no function behind API Gateway outlive its 29 s integration timeout', () => {
    // The functions API Gateway invokes: the routes' and the authorizer's, not the stream's publisher.
    const invokedByApiGateway = new Set(
      Object.values(
        template.findResources('AWS::Lambda::Permission', { Properties: { Principal: 'apigateway.amazonaws.com' } }),
      ).map((permission) => permission.Properties.FunctionName['Fn::GetAtt'][0]),
    );
    const timeouts = Object.entries(template.findResources('AWS::Lambda::Function'))
      .filter(([logicalId]) => invokedByApiGateway.has(logicalId))
      .map(([, resource]) => resource.Properties.Timeout);
    expect(timeouts).toHaveLength(Object.keys(API_FUNCTIONS).length + 1);
    expect(timeouts.every((timeout) => timeout < 29)).toBe(true);
  });

  it("takes each function's settings from the one shared definition", () => {
    for (const spec of Object.values(API_FUNCTIONS) as FunctionSpec[]) {
      expect(functionNamed(template, new RegExp(`^${escapeRegExp(spec.description)}$`)).properties).toMatchObject({
        MemorySize: spec.memorySize,
        Timeout: spec.timeoutSeconds,
      });
    }
  });

  it('configures the update function with the table, the Cognito scope and the protected ids', () => {
    const { properties } = functionNamed(template, /PUT and PATCH \/api\/clients/);
    expect(properties.Environment.Variables).toEqual({
      TABLE_NAME: { Ref: expect.stringMatching(/^ClientsTable/) },
      REQUIRED_SCOPE: 'clients-api/clients:manage:all',
      PROTECTED_CLIENT_IDS: '0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d',
      POWERTOOLS_SERVICE_NAME: 'clients-api',
      HISTORY_CAPACITY: '50',
      HISTORY_RETENTION_DAYS: '365',
    });
  });

  it('points the authorizer at the created user pool and the same scope', () => {
    const { properties } = functionNamed(template, /Verifies bearer tokens/);
    expect(properties.Environment.Variables).toEqual({
      COGNITO_USER_POOL_ID: { Ref: expect.stringMatching(/^TokenIssuerUserPool/) },
      REQUIRED_SCOPE: 'clients-api/clients:manage:all',
    });
  });

  const CLIENT_ONLY = ['CLIENT'];
  // The links of a client to the scopes and identity provider it copies.
  const WITH_LINKS = ['CLIENT', 'IDENTITY_PROVIDER_LINK', 'SCOPE_LINK'];
  const WITH_LINKED_ITEMS = [
    'CLIENT',
    'IDENTITY_PROVIDER',
    'IDENTITY_PROVIDER_LINK',
    'SCOPE',
    'SCOPE_LINK',
    'SCOPE_NAME',
  ];

  it.each([
    [/PUT and PATCH \/api\/clients/, ['BatchGetItem', 'GetItem', 'PutItem', 'UpdateItem'], WITH_LINKED_ITEMS],
    [/^GET \/api\/clients$/, ['Query'], CLIENT_ONLY],
    [/^GET \/api\/clients\/\{client_id\}$/, ['GetItem'], CLIENT_ONLY],
    [/^POST \/api\/clients$/, ['BatchGetItem', 'DeleteItem', 'GetItem', 'PutItem', 'UpdateItem'], WITH_LINKED_ITEMS],
    [/^DELETE \/api\/clients/, ['DeleteItem', 'GetItem', 'UpdateItem'], WITH_LINKS],
    [/^GET \/api\/clients\/\{client_id\}\/history$/, ['GetItem'], CLIENT_ONLY],
    [/regenerate_key_pair/, ['GetItem', 'UpdateItem'], CLIENT_ONLY],
    [/regenerate_did/, ['GetItem', 'UpdateItem'], CLIENT_ONLY],
    [/^GET \/api\/scopes$/, ['Query'], ['SCOPE']],
    [/^POST \/api\/scopes$/, ['DeleteItem', 'GetItem', 'PutItem'], ['SCOPE', 'SCOPE_NAME']],
    [
      /^PUT and PATCH \/api\/scopes/,
      ['BatchGetItem', 'DeleteItem', 'GetItem', 'PutItem', 'Query', 'UpdateItem'],
      ['CLIENT', 'SCOPE', 'SCOPE_LINK', 'SCOPE_NAME'],
    ],
    [
      /^DELETE \/api\/identity-providers/,
      ['BatchGetItem', 'BatchWriteItem', 'DeleteItem', 'GetItem', 'PutItem', 'Query', 'UpdateItem'],
      ['CLIENT', 'IDENTITY_PROVIDER', 'IDENTITY_PROVIDER_LINK', 'IDENTITY_PROVIDER_NAME'],
    ],
  ])(
    'grants the function of %s exactly the DynamoDB actions it sends, on the table only, in the partitions it uses',
    (description, actions, partitions) => {
      const dynamo = dynamoDbStatements(template, description);
      expect(dynamo).toEqual([
        {
          Effect: 'Allow',
          Action: expect.anything(),
          Resource: { 'Fn::GetAtt': [expect.stringMatching(/^ClientsTable/), 'Arn'] },
          Condition: { 'ForAllValues:StringEquals': { 'dynamodb:LeadingKeys': expect.anything() } },
        },
      ]);
      expect([dynamo[0].Action].flat().sort()).toEqual(actions.map((action) => `dynamodb:${action}`));
      const leadingKeys = [dynamo[0].Condition['ForAllValues:StringEquals']['dynamodb:LeadingKeys']].flat();
      expect(leadingKeys.sort()).toEqual(partitions);
    },
  );

  it('gives the key pairs function no DynamoDB access', () => {
    expect(dynamoDbStatements(template, /^GET \/api\/key-pairs$/)).toEqual([]);
  });

  it('gives the authorizer no DynamoDB access', () => {
    const { properties } = functionNamed(template, /Verifies bearer tokens/);
    const roleId = properties.Role['Fn::GetAtt'][0];
    const policies = template.findResources('AWS::IAM::Policy', { Properties: { Roles: [{ Ref: roleId }] } });
    expect(JSON.stringify(policies)).not.toContain('dynamodb:');
  });

  it('keeps the table on demand, recoverable, protected from deletion and retained', () => {
    template.hasResource('AWS::DynamoDB::GlobalTable', {
      DeletionPolicy: 'Retain',
      Properties: {
        BillingMode: 'PAY_PER_REQUEST',
        KeySchema: [
          { AttributeName: 'pk', KeyType: 'HASH' },
          { AttributeName: 'sk', KeyType: 'RANGE' },
        ],
        SSESpecification: { SSEEnabled: true, SSEType: 'KMS' },
        Replicas: [
          Match.objectLike({
            Region: 'eu-west-1',
            DeletionProtectionEnabled: true,
            PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
          }),
        ],
      },
    });
  });

  it('puts every route of the route table behind the token authorizer, and a 405 on each resource', () => {
    template.resourceCountIs('AWS::ApiGateway::Method', API_ROUTES.length + methodsByResource().size);
    for (const method of ['GET', 'POST', 'PUT', 'PATCH', 'DELETE']) {
      template.hasResourceProperties('AWS::ApiGateway::Method', {
        HttpMethod: method,
        AuthorizationType: 'CUSTOM',
        AuthorizerId: { Ref: Match.stringLikeRegexp('^ScopeAuthorizer') },
        Integration: { Type: 'AWS_PROXY' },
      });
    }
    const methods = Object.values(template.findResources('AWS::ApiGateway::Method'));
    expect(methods.every((method) => method.Properties.AuthorizationType === 'CUSTOM')).toBe(true);
    template.hasResourceProperties('AWS::ApiGateway::Resource', { PathPart: '{client_id}' });
    template.hasResourceProperties('AWS::ApiGateway::Authorizer', {
      Type: 'TOKEN',
      IdentitySource: 'method.request.header.Authorization',
      AuthorizerResultTtlInSeconds: 300,
    });
  });

  it.each([...methodsByResource()])(
    'answers the methods %s lacks with a MOCK 405 and Allow, behind the same authorizer',
    (path, methods) => {
      const resourceId = resourceIdOf(template, path);
      template.hasResourceProperties('AWS::ApiGateway::Method', {
        ResourceId: { Ref: resourceId },
        HttpMethod: 'ANY',
        AuthorizationType: 'CUSTOM',
        AuthorizerId: { Ref: Match.stringLikeRegexp('^ScopeAuthorizer') },
        Integration: {
          Type: 'MOCK',
          IntegrationResponses: [
            {
              StatusCode: '405',
              ResponseTemplates: {
                'application/json':
                  '{"code":"METHOD_NOT_ALLOWED","message":"The method is not allowed for this resource."}',
              },
              ResponseParameters: Match.objectLike({
                'method.response.header.Allow': `'${methods.join(', ')}'`,
                'method.response.header.Content-Type': "'application/json; charset=utf-8'",
              }),
            },
          ],
        },
      });
    },
  );

  it('logs access as JSON and execution errors without bodies, throttles and traces the stage', () => {
    template.hasResourceProperties('AWS::ApiGateway::Stage', {
      StageName: 'v1',
      TracingEnabled: true,
      AccessLogSetting: {
        DestinationArn: Match.anyValue(),
        Format: Match.stringLikeRegexp('"requestId":"\\$context.requestId"'),
      },
      MethodSettings: [
        {
          HttpMethod: '*',
          ResourcePath: '/*',
          LoggingLevel: 'ERROR',
          DataTraceEnabled: false,
          MetricsEnabled: true,
          ThrottlingRateLimit: 50,
          ThrottlingBurstLimit: 100,
        },
        ...['/~1api~1clients', '/~1api~1clients~1{client_id}~1regenerate_key_pair'].map((resourcePath) => ({
          HttpMethod: 'POST',
          ResourcePath: resourcePath,
          LoggingLevel: 'ERROR',
          DataTraceEnabled: false,
          MetricsEnabled: true,
          ThrottlingRateLimit: 5,
          ThrottlingBurstLimit: 10,
        })),
      ],
    });
  });

  it("keeps the account's API Gateway CloudWatch role when the stack is deleted", () => {
    template.hasResource('AWS::ApiGateway::Account', { DeletionPolicy: 'Retain', UpdateReplacePolicy: 'Retain' });
    const [role] = Object.entries(template.findResources('AWS::IAM::Role', { DeletionPolicy: 'Retain' }));
    expect(role?.[1].Properties.ManagedPolicyArns).toEqual([
      {
        'Fn::Join': [
          '',
          ['arn:', { Ref: 'AWS::Partition' }, ':iam::aws:policy/service-role/AmazonAPIGatewayPushToCloudWatchLogs'],
        ],
      },
    ]);
    template.hasResourceProperties('AWS::ApiGateway::Account', {
      CloudWatchRoleArn: { 'Fn::GetAtt': [role?.[0], 'Arn'] },
    });
  });

  it('redeploys the stage when the authorizer changes (authorizerChangeDeploymentLogicalId)', () => {
    const deploymentOf = (scope: string) =>
      Object.keys(
        synthesize({ issuer: { cognitoUserPoolId: 'eu-west-1_Abc', cognitoResourceServer: scope } }).findResources(
          'AWS::ApiGateway::Deployment',
        ),
      );

    expect(FEATURE_FLAGS['@aws-cdk/aws-apigateway:authorizerChangeDeploymentLogicalId']).toBe(true);
    expect(deploymentOf('one')).not.toEqual(deploymentOf('two'));
  });

  it('names the token domain after the stack id, unique per stack', () => {
    template.hasResourceProperties('AWS::Cognito::UserPoolDomain', {
      Domain: {
        'Fn::Join': ['-', ['clients-api', { 'Fn::Select': [2, { 'Fn::Split': ['/', { Ref: 'AWS::StackId' }] }] }]],
      },
    });
  });

  it.each([
    ['UNAUTHORIZED', '401', UNAUTHORIZED_BODY, { 'WWW-Authenticate': `'Bearer error="invalid_token"'` }],
    [
      'ACCESS_DENIED',
      '403',
      FORBIDDEN_BODY,
      { 'WWW-Authenticate': `'Bearer error="insufficient_scope", scope="clients-api/clients:manage:all"'` },
    ],
    [
      'MISSING_AUTHENTICATION_TOKEN',
      '404',
      '{"code":"NOT_FOUND","message":"The requested resource could not be found.","errors":{"resource":["the requested resource could not be found."]}}',
      {},
    ],
    [
      'THROTTLED',
      '429',
      '{"code":"TOO_MANY_REQUESTS","message":"Too many requests. Retry later."}',
      { 'Retry-After': "'1'" },
    ],
    ['INTEGRATION_FAILURE', '502', '{"code":"BAD_GATEWAY","message":"The service failed to answer."}', {}],
    ['INTEGRATION_TIMEOUT', '504', '{"code":"GATEWAY_TIMEOUT","message":"The service did not answer in time."}', {}],
  ])('answers gateway errors of type %s with %s and the JSON error body', (type, statusCode, body, headers) => {
    template.hasResourceProperties('AWS::ApiGateway::GatewayResponse', {
      ResponseType: type,
      StatusCode: statusCode,
      ResponseTemplates: { 'application/json': body },
      ResponseParameters: Object.fromEntries(
        Object.entries({ 'Content-Type': "'application/json'", ...headers }).map(([name, value]) => [
          `gatewayresponse.header.${name}`,
          value,
        ]),
      ),
    });
  });

  it("answers every other 5xx with a fixed JSON body and API Gateway's own status (a failed function stays 502)", () => {
    const [fallback] = Object.values(
      template.findResources('AWS::ApiGateway::GatewayResponse', { Properties: { ResponseType: 'DEFAULT_5XX' } }),
    );
    expect(fallback?.Properties).toEqual({
      RestApiId: expect.anything(),
      ResponseType: 'DEFAULT_5XX',
      ResponseParameters: { 'gatewayresponse.header.Content-Type': "'application/json'" },
      ResponseTemplates: {
        'application/json': '{"code":"INTERNAL_SERVER_ERROR","message":"An internal error occurred."}',
      },
    });
  });

  it('answers every other gateway error as JSON too', () => {
    const types = Object.values(template.findResources('AWS::ApiGateway::GatewayResponse')).map(
      (resource) => resource.Properties.ResponseType,
    );
    expect(types).toEqual(
      expect.arrayContaining(['DEFAULT_4XX', 'DEFAULT_5XX', 'INTEGRATION_TIMEOUT', 'REQUEST_TOO_LARGE']),
    );
  });

  it("creates a user pool that issues client-credentials tokens with every one of the API's scopes", () => {
    const scopes = ['clients:manage:all', 'scopes:manage:all', 'users:manage:all', 'identity-providers:manage:all'];
    template.hasResourceProperties('AWS::Cognito::UserPoolResourceServer', {
      Identifier: 'clients-api',
      Scopes: scopes.map((ScopeName) => ({ ScopeName, ScopeDescription: Match.anyValue() })),
    });
    template.hasResourceProperties('AWS::Cognito::UserPoolClient', {
      GenerateSecret: true,
      AllowedOAuthFlows: ['client_credentials'],
      AllowedOAuthScopes: scopes.map((scope) => ({
        'Fn::Join': ['', [{ Ref: Match.stringLikeRegexp('ResourceServer') }, `/${scope}`]],
      })),
    });
    template.hasResource('AWS::Cognito::UserPool', { DeletionPolicy: 'Retain' });
  });

  it('outputs the API URL, the table name, the issuer, the scope and how to get a token', () => {
    const outputs = Object.keys(template.findOutputs('*'));
    expect(outputs).toEqual(
      expect.arrayContaining([
        'ApiUrl',
        'TableName',
        'Issuer',
        'RequiredScope',
        'TokenEndpoint',
        'AdminClientId',
        'UserPoolId',
      ]),
    );
  });
});

describe('a stack for an existing OIDC issuer, thrown away on deletion, with its own KMS key', () => {
  let template: Template;
  beforeAll(() => {
    template = synthesize({
      issuer: { issuerUrl: 'https://idp.example.com/', audience: ['clients-api', 'admin'] },
      removalPolicy: RemovalPolicy.DESTROY,
      customerManagedKey: true,
      throttling: { rateLimit: 5, burstLimit: 10 },
    });
  });

  it('verifies tokens of that issuer with the plain scope and creates no user pool', () => {
    const { properties } = functionNamed(template, /Verifies bearer tokens/);
    expect(properties.Environment.Variables).toEqual({
      JWT_ISSUER: 'https://idp.example.com/',
      JWT_JWKS_URI: '',
      JWT_AUDIENCE: 'clients-api,admin',
      REQUIRED_SCOPE: 'clients:manage:all',
    });
    template.resourceCountIs('AWS::Cognito::UserPool', 0);
  });

  it('deletes the table with the stack and lifts deletion protection', () => {
    template.hasResource('AWS::DynamoDB::GlobalTable', {
      DeletionPolicy: 'Delete',
      Properties: { Replicas: [Match.objectLike({ DeletionProtectionEnabled: false })] },
    });
  });

  it('encrypts the table with a rotated customer-managed key the update function may use', () => {
    template.hasResourceProperties('AWS::KMS::Key', { EnableKeyRotation: true });
    template.hasResourceProperties('AWS::DynamoDB::GlobalTable', {
      SSESpecification: { SSEEnabled: true, SSEType: 'KMS' },
      Replicas: [Match.objectLike({ SSESpecification: { KMSMasterKeyId: Match.anyValue() } })],
    });
    template.hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Action: Match.arrayWith(['kms:Decrypt', 'kms:Encrypt', 'kms:GenerateDataKey']) }),
        ]),
      },
    });
  });

  it('applies the throttling limits given, and keeps the key generation methods at most at them', () => {
    const [stage] = Object.values(template.findResources('AWS::ApiGateway::Stage'));
    expect(
      stage?.Properties.MethodSettings.map((setting: Record<string, unknown>) => [
        setting.ResourcePath,
        setting.ThrottlingRateLimit,
        setting.ThrottlingBurstLimit,
      ]),
    ).toEqual([
      ['/*', 5, 10],
      ['/~1api~1clients', 5, 10],
      ['/~1api~1clients~1{client_id}~1regenerate_key_pair', 5, 10],
    ]);
  });
});

describe('other deployments', () => {
  it.each([
    ['its resource server', { cognitoResourceServer: 'admin-api' }, 'admin-api/clients:manage:all'],
    ['the scope given', {}, 'admin-api/manage', 'admin-api/manage'],
  ])('uses an existing Cognito user pool, with the scope built from %s', (_, settings, scope, requiredScope?) => {
    const template = synthesize({
      issuer: { cognitoUserPoolId: 'eu-west-1_Abc', cognitoClientIds: ['c1'], ...settings },
      requiredScope,
    });
    const { properties } = functionNamed(template, /Verifies bearer tokens/);
    expect(properties.Environment.Variables).toEqual({
      COGNITO_USER_POOL_ID: 'eu-west-1_Abc',
      COGNITO_CLIENT_IDS: 'c1',
      REQUIRED_SCOPE: scope,
    });
    expect(functionNamed(template, /PUT and PATCH/).properties.Environment.Variables.REQUIRED_SCOPE).toBe(scope);
  });

  it('refuses an existing Cognito user pool without the scope its tokens carry, naming requiredScope', () => {
    expect(() => synthesize({ issuer: { cognitoUserPoolId: 'eu-west-1_Abc' } })).toThrow(
      new SettingsError(
        'cognitoUserPoolId needs requiredScope: Cognito access tokens carry <resource server>/<scope> (e.g. -c requiredScope=clients-api/clients:manage:all), or give -c cognitoResourceServer=<identifier>',
      ),
    );
  });

  it('refuses an OIDC issuer without an audience, naming audience', () => {
    expect(() => synthesize({ issuer: { issuerUrl: 'https://idp.example.com/' } })).toThrow(
      new SettingsError(
        'issuerUrl needs audience (-c audience=<aud>): without it any token of that issuer carrying the scope is accepted; set acceptAnyAudience=true to accept that',
      ),
    );
  });

  it('accepts an OIDC issuer without an audience check only when told so', () => {
    const template = synthesize({ issuer: { issuerUrl: 'https://idp.example.com/', acceptAnyAudience: true } });
    expect(functionNamed(template, /Verifies bearer tokens/).properties.Environment.Variables).toMatchObject({
      JWT_ISSUER: 'https://idp.example.com/',
      JWT_AUDIENCE: '',
    });
  });

  it.each([
    [
      'Clients-Api',
      'cognitoDomainPrefix must be 1 to 63 lower-case letters, digits and hyphens, without a hyphen first or last: Clients-Api',
    ],
    [
      '-clients',
      'cognitoDomainPrefix must be 1 to 63 lower-case letters, digits and hyphens, without a hyphen first or last: -clients',
    ],
    [
      'x'.repeat(64),
      `cognitoDomainPrefix must be 1 to 63 lower-case letters, digits and hyphens, without a hyphen first or last: ${'x'.repeat(64)}`,
    ],
    ['my-aws-clients', 'cognitoDomainPrefix must not contain aws (Cognito reserves it): my-aws-clients'],
    ['amazonian', 'cognitoDomainPrefix must not contain amazon (Cognito reserves it): amazonian'],
    ['cognito-admin', 'cognitoDomainPrefix must not contain cognito (Cognito reserves it): cognito-admin'],
  ])('refuses the Cognito domain prefix %s', (prefix, message) => {
    expect(() => synthesize({ cognitoDomainPrefix: prefix })).toThrow(new SettingsError(message));
  });

  it('gives every function the history settings, and refuses a capacity the ring cannot hold', () => {
    const template = synthesize({ historyCapacity: 20, historyRetentionDays: 90 });
    const functions = Object.values(template.findResources('AWS::Lambda::Function')).filter(
      (resource) => resource.Properties.Environment?.Variables?.TABLE_NAME,
    );
    expect(functions.length).toBe(Object.keys(API_FUNCTIONS).length);
    for (const resource of functions) {
      expect(resource.Properties.Environment.Variables).toMatchObject({
        HISTORY_CAPACITY: '20',
        HISTORY_RETENTION_DAYS: '90',
      });
    }
    expect(() => synthesize({ historyCapacity: 101 })).toThrow(
      new SettingsError('The history capacity must be a whole number from 1 to 100, not 101'),
    );
    expect(() => synthesize({ historyRetentionDays: 0 })).toThrow(
      new SettingsError('The history retention must be a whole number of days from 1 to 36500, not 0'),
    );
  });

  it('uses a valid Cognito domain prefix as given', () => {
    synthesize({ cognitoDomainPrefix: 'acme-clients-7' }).hasResourceProperties('AWS::Cognito::UserPoolDomain', {
      Domain: 'acme-clients-7',
    });
  });

  it('replicates the table to other regions as a global table', () => {
    const template = synthesize({ replicaRegions: ['eu-central-1', 'us-east-1'] });
    const [table] = Object.values(template.findResources('AWS::DynamoDB::GlobalTable'));
    expect(table?.Properties.Replicas.map((replica: { Region: string }) => replica.Region).sort()).toEqual([
      'eu-central-1',
      'eu-west-1',
      'us-east-1',
    ]);
  });
});

describe('cdk-nag', () => {
  it('fails the synth on a finding nobody acknowledged', () => {
    expect(() =>
      synthesize({}, {}, (stack) => {
        const role = new Role(stack, 'Rogue', { assumedBy: new ServicePrincipal('lambda.amazonaws.com') });
        role.addToPolicy(new PolicyStatement({ actions: ['dynamodb:*'], resources: ['*'] }));
      }),
    ).toThrow(/AwsSolutions-IAM5\[Action::dynamodb:\*\]/);
  });
});
