import { CfnOutput, Duration, RemovalPolicy, Stack, type StackProps, Validations } from 'aws-cdk-lib';
import {
  AccessLogFormat,
  AuthorizationType,
  EndpointType,
  IdentitySource,
  LambdaIntegration,
  LogGroupLogDestination,
  MethodLoggingLevel,
  RestApi,
  TokenAuthorizer,
} from 'aws-cdk-lib/aws-apigateway';
import type { NodejsFunction } from 'aws-cdk-lib/aws-lambda-nodejs';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { Construct } from 'constructs';
import { REQUIRED_SCOPE_DEFAULT } from '../lambda/http/http-error.js';
import { ApiErrorResponses } from './api-error-responses.js';
import { ApiFunction } from './api-function.js';
import { API_ROUTES, type ApiHandlerName } from './api-routes.js';
import { ClientsTable } from './clients-table.js';
import { CognitoTokenIssuer } from './cognito-token-issuer.js';

/** Tokens from an existing issuer: a Cognito user pool, or any OIDC issuer. */
export type IssuerSettings =
  | { cognitoUserPoolId: string; cognitoClientIds?: string[] }
  | { issuerUrl: string; jwksUri?: string; audience?: string[] };

export interface ClientsApiStackProps extends StackProps {
  /** Where tokens come from; absent, the stack creates a Cognito user pool that issues them. */
  issuer?: IssuerSettings;
  /** The scope every request needs; defaults to `clients:manage:all` (or Cognito's name for it). */
  requiredScope?: string;
  /** Clients that update, delete and key regeneration refuse to touch (the admin UI's own). */
  protectedClientIds?: string[];
  /** RETAIN (default) keeps the table and user pool on stack deletion, with deletion protection. */
  removalPolicy?: RemovalPolicy;
  replicaRegions?: string[];
  customerManagedKey?: boolean;
  replicaKeyArns?: Record<string, string>;
  /** Requests per second (steady and burst) the stage admits before answering 429. */
  throttling?: { rateLimit: number; burstLimit: number };
  /** The prefix of the created user pool's domain (default `clients-api-<account>`). */
  cognitoDomainPrefix?: string;
}

const STAGE = 'v1';

/** Each client function: what it does and exactly the DynamoDB actions its code sends. */
export const CLIENT_FUNCTIONS: Record<
  ApiHandlerName,
  { id: string; description: string; actions: string[]; memorySize?: number; timeout?: Duration }
> = {
  'list-clients': { id: 'ListClients', description: 'GET /api/clients', actions: ['Query'] },
  'get-client': { id: 'GetClient', description: 'GET /api/clients/{client_id}', actions: ['GetItem'] },
  'create-client': {
    id: 'CreateClient',
    description: 'POST /api/clients',
    // DeleteItem: the loser of a race to create a scope name removes its own scope item.
    actions: ['BatchGetItem', 'PutItem', 'DeleteItem', 'GetItem'],
  },
  'update-client': {
    id: 'UpdateClient',
    description: 'PUT and PATCH /api/clients/{client_id}',
    actions: ['BatchGetItem', 'GetItem', 'UpdateItem', 'PutItem', 'DeleteItem'],
  },
  'delete-client': {
    id: 'DeleteClient',
    description: 'DELETE /api/clients/{client_id}',
    actions: ['DeleteItem', 'GetItem'],
  },
  'regenerate-key-pair': {
    id: 'RegenerateKeyPair',
    description: 'POST /api/clients/{client_id}/regenerate_key_pair',
    actions: ['GetItem', 'UpdateItem'],
    // An RSA-8192 key takes seconds of CPU, which memory buys on Lambda.
    memorySize: 1769,
    timeout: Duration.seconds(30),
  },
  'regenerate-did': {
    id: 'RegenerateDid',
    description: 'POST /api/clients/{client_id}/regenerate_did',
    actions: ['GetItem', 'UpdateItem'],
  },
};

export class ClientsApiStack extends Stack {
  readonly api: RestApi;

  constructor(scope: Construct, id: string, props: ClientsApiStackProps = {}) {
    super(scope, id, props);
    const removalPolicy = props.removalPolicy ?? RemovalPolicy.RETAIN;
    const clientsTable = new ClientsTable(this, 'Clients', {
      removalPolicy,
      replicaRegions: props.replicaRegions,
      customerManagedKey: props.customerManagedKey,
      replicaKeyArns: props.replicaKeyArns,
    });
    const { table } = clientsTable;

    const issuer = this.issuerSettings(props, removalPolicy);
    const requiredScope = props.requiredScope ?? issuer.requiredScope;

    const authorizerFunction = new ApiFunction(this, 'Authorizer', {
      handlerFile: 'authorizer.ts',
      description: 'Verifies bearer tokens and the clients:manage:all scope',
      memorySize: 256,
      timeout: Duration.seconds(5),
      environment: { ...issuer.environment, REQUIRED_SCOPE: requiredScope },
    }).function;
    const functions = Object.fromEntries(
      Object.entries(CLIENT_FUNCTIONS).map(([handler, spec]) => {
        const construct = new ApiFunction(this, spec.id, {
          handlerFile: `${handler}.ts`,
          description: spec.description,
          memorySize: spec.memorySize,
          timeout: spec.timeout,
          environment: {
            TABLE_NAME: table.tableName,
            REQUIRED_SCOPE: requiredScope,
            PROTECTED_CLIENT_IDS: (props.protectedClientIds ?? []).join(','),
            POWERTOOLS_SERVICE_NAME: 'clients-api',
          },
        });
        clientsTable.grant(construct.function, ...spec.actions.map((action) => `dynamodb:${action}`));
        return [handler, construct.function];
      }),
    ) as Record<ApiHandlerName, NodejsFunction>;

    const accessLogs = new LogGroup(this, 'AccessLogs', {
      retention: RetentionDays.THREE_MONTHS,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    this.api = new RestApi(this, 'Api', {
      restApiName: 'clients-admin-api',
      description: 'Admin API for OAuth/OpenID Connect client registrations',
      endpointTypes: [EndpointType.REGIONAL],
      cloudWatchRole: true,
      cloudWatchRoleRemovalPolicy: RemovalPolicy.DESTROY,
      deployOptions: {
        stageName: STAGE,
        accessLogDestination: new LogGroupLogDestination(accessLogs),
        accessLogFormat: AccessLogFormat.jsonWithStandardFields(),
        loggingLevel: MethodLoggingLevel.ERROR,
        // Request and response bodies carry client secrets: never log them.
        dataTraceEnabled: false,
        metricsEnabled: true,
        tracingEnabled: true,
        throttlingRateLimit: props.throttling?.rateLimit ?? 50,
        throttlingBurstLimit: props.throttling?.burstLimit ?? 100,
      },
      defaultMethodOptions: {
        authorizationType: AuthorizationType.CUSTOM,
        authorizer: new TokenAuthorizer(this, 'ScopeAuthorizer', {
          handler: authorizerFunction,
          identitySource: IdentitySource.header('Authorization'),
          resultsCacheTtl: Duration.minutes(5),
        }),
      },
    });
    new ApiErrorResponses(this, 'ErrorResponses', { api: this.api, requiredScope });

    const integrations = new Map<ApiHandlerName, LambdaIntegration>();
    for (const route of API_ROUTES) {
      if (!integrations.has(route.handler))
        integrations.set(route.handler, new LambdaIntegration(functions[route.handler]));
      this.api.root.resourceForPath(route.path).addMethod(route.method, integrations.get(route.handler));
    }

    Validations.of(this.api).acknowledge(
      {
        id: 'AwsSolutions-APIG2',
        reason: 'The functions validate every request and answer with the contract’s exact 400/422 bodies.',
      },
      {
        id: 'AwsSolutions-APIG3',
        reason: 'WAF is left to the operator (cost, and rules depend on the deployment); the stage is throttled.',
      },
      {
        id: 'AwsSolutions-COG4',
        reason:
          'A Lambda token authorizer verifies the tokens (Cognito access tokens or any OIDC issuer) and the required scope, which a Cognito authorizer cannot do for other issuers.',
      },
      {
        id: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AmazonAPIGatewayPushToCloudWatchLogs]',
        reason:
          'The account-level role that lets API Gateway write execution and access logs; AWS maintains its policy.',
      },
    );

    new CfnOutput(this, 'ApiUrl', { value: this.api.url, description: 'Base URL: append api/clients/{client_id}' });
    new CfnOutput(this, 'TableName', { value: table.tableName });
    new CfnOutput(this, 'Issuer', { value: issuer.issuerUrl });
    new CfnOutput(this, 'RequiredScope', { value: requiredScope });
  }

  /** The authorizer's environment for the configured issuer, or for a user pool created here. */
  private issuerSettings(
    props: ClientsApiStackProps,
    removalPolicy: RemovalPolicy,
  ): { requiredScope: string; issuerUrl: string; environment: Record<string, string> } {
    const { issuer } = props;
    if (issuer && 'cognitoUserPoolId' in issuer) {
      return {
        requiredScope: REQUIRED_SCOPE_DEFAULT,
        issuerUrl: `https://cognito-idp.${this.region}.${this.urlSuffix}/${issuer.cognitoUserPoolId}`,
        environment: {
          COGNITO_USER_POOL_ID: issuer.cognitoUserPoolId,
          COGNITO_CLIENT_IDS: (issuer.cognitoClientIds ?? []).join(','),
        },
      };
    }
    if (issuer) {
      return {
        requiredScope: REQUIRED_SCOPE_DEFAULT,
        issuerUrl: issuer.issuerUrl,
        environment: {
          JWT_ISSUER: issuer.issuerUrl,
          JWT_JWKS_URI: issuer.jwksUri ?? '',
          JWT_AUDIENCE: (issuer.audience ?? []).join(','),
        },
      };
    }
    const created = new CognitoTokenIssuer(this, 'TokenIssuer', {
      domainPrefix: props.cognitoDomainPrefix ?? `clients-api-${this.account}`,
      removalPolicy,
    });
    new CfnOutput(this, 'TokenEndpoint', { value: created.tokenEndpoint });
    new CfnOutput(this, 'AdminClientId', { value: created.adminClient.userPoolClientId });
    return {
      requiredScope: created.requiredScope,
      issuerUrl: created.issuerUrl,
      environment: { COGNITO_USER_POOL_ID: created.userPool.userPoolId },
    };
  }
}
