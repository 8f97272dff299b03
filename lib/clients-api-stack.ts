import { CfnOutput, Duration, Fn, RemovalPolicy, Stack, type StackProps, Validations } from 'aws-cdk-lib';
import {
  AccessLogFormat,
  AuthorizationType,
  EndpointType,
  IdentitySource,
  LambdaIntegration,
  LogGroupLogDestination,
  type MethodDeploymentOptions,
  MethodLoggingLevel,
  type MethodResponse,
  MockIntegration,
  PassthroughBehavior,
  RestApi,
  TokenAuthorizer,
} from 'aws-cdk-lib/aws-apigateway';
import type { NodejsFunction } from 'aws-cdk-lib/aws-lambda-nodejs';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import { type ISecret, Secret } from 'aws-cdk-lib/aws-secretsmanager';
import type { Construct } from 'constructs';
import { CLIENT_AUTH_METHODS, type ClientAuthMethod } from '../lambda/auth/introspection.js';
import { allowedOriginHeaders, parseCorsOrigins } from '../lambda/http/cors.js';
import { REQUIRED_SCOPE_DEFAULT } from '../lambda/http/http-error.js';
import { apiScopes, defaultScopePrefix } from '../lambda/http/route-scopes.js';
import { historyCapacity, historyRetentionDays } from '../lambda/store/history-ring.js';
import { ApiErrorResponses } from './api-error-responses.js';
import { ApiFunction } from './api-function.js';
import {
  API_FUNCTIONS,
  API_NAME,
  API_ROUTES,
  API_SCOPE_NAMES,
  type ApiHandlerName,
  AUTHORIZER_FUNCTION,
  type FunctionSpec,
  methodsByResource,
  STAGE,
  STAGE_THROTTLE,
  type Throttle,
} from './api-routes.js';
import { ClientHistoryEvents } from './client-history-events.js';
import { ClientsTable } from './clients-table.js';
import { CognitoTokenIssuer } from './cognito-token-issuer.js';
import { corsMethodResponseParameters, corsOverrideTemplate, preflightIntegration } from './cors.js';
import { methodNotAllowedAnswer } from './gateway-errors.js';
import { SettingsError } from './settings-error.js';

/** Tokens from an existing issuer: a Cognito user pool, any OIDC issuer, or an introspection endpoint. */
export type IssuerSettings =
  | {
      cognitoUserPoolId: string;
      /** The app clients whose tokens are accepted; without them, any app client of the pool. */
      cognitoClientIds?: string[];
      /** The resource server whose `clients:manage:all` scope the pool's tokens carry. */
      cognitoResourceServer?: string;
    }
  | {
      issuerUrl: string;
      /** Where the keys are; without it, the `jwks_uri` of the issuer's discovery document. */
      jwksUri?: string;
      /** The accepted `aud` values: required, unless `acceptAnyAudience` waives the check. */
      audience?: string[];
      acceptAnyAudience?: boolean;
    }
  | {
      /** An RFC 7662 endpoint that tells whether an opaque token is active (Boruta: `<server>/oauth/introspect`). */
      introspectionUrl: string;
      /** The client this API authenticates as there. */
      introspectionClientId: string;
      /** The Secrets Manager secret (complete ARN, or name) holding its secret. */
      introspectionSecret: string;
      introspectionAuthMethod?: ClientAuthMethod;
    };

export interface ClientsApiStackProps extends StackProps {
  /** Where tokens come from; absent, the stack creates a Cognito user pool that issues them. */
  issuer?: IssuerSettings;
  /** How `clients:manage:all` is spelled in tokens; defaults to it (or Cognito's name for it). */
  requiredScope?: string;
  /** The prefix of the API's other scopes; defaults to what `requiredScope` has before `clients:manage:all`. */
  scopePrefix?: string;
  /** Origins whose browsers may call the API (CORS); none, no CORS at all. */
  corsOrigins?: string[];
  /** Clients that update, delete and key regeneration refuse to touch (the admin UI's own). */
  protectedClientIds?: string[];
  /** RETAIN (default) keeps the table and user pool on stack deletion, with deletion protection. */
  removalPolicy?: RemovalPolicy;
  replicaRegions?: string[];
  customerManagedKey?: boolean;
  replicaKeyArns?: Record<string, string>;
  /** Requests per second (steady and burst) the stage admits before answering 429. */
  throttling?: Throttle;
  /** The prefix of the created user pool's domain (default `clients-api-<the stack id's UUID>`). */
  cognitoDomainPrefix?: string;
  /** Days the EventBridge archive keeps Client Changed events (default 365; 0 keeps them forever). */
  eventArchiveRetentionDays?: number;
  /** The history entries each client's item keeps (1 to 100, default 50). */
  historyCapacity?: number;
  /** Days a deleted client's history stays readable, and its id taken (default 365). */
  historyRetentionDays?: number;
}

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
    const { requiredScope } = issuer;
    const scopePrefix = props.scopePrefix ?? defaultScopePrefix(requiredScope);
    const corsOrigins = validCorsOrigins(props.corsOrigins);
    // How the deployment spells the API's scopes, for the authorizer and the functions alike.
    const scopeEnvironment = {
      REQUIRED_SCOPE: requiredScope,
      ...(props.scopePrefix !== undefined && { SCOPE_PREFIX: props.scopePrefix }),
    };

    const authorizerFunction = new ApiFunction(this, 'Authorizer', {
      handlerFile: issuer.introspectionSecret ? 'introspection-authorizer.ts' : 'authorizer.ts',
      description: issuer.introspectionSecret
        ? 'Verifies bearer tokens by introspection and the API scopes'
        : 'Verifies bearer tokens and the API scopes',
      memorySize: AUTHORIZER_FUNCTION.memorySize,
      timeout: Duration.seconds(AUTHORIZER_FUNCTION.timeoutSeconds),
      environment: { ...issuer.environment, ...scopeEnvironment },
    }).function;
    issuer.introspectionSecret?.grantRead(authorizerFunction);
    const functions = Object.fromEntries(
      Object.entries(API_FUNCTIONS).map(([handler, spec]: [string, FunctionSpec]) => {
        const construct = new ApiFunction(this, spec.id, {
          handlerFile: `${handler}.ts`,
          description: spec.description,
          memorySize: spec.memorySize,
          timeout: Duration.seconds(spec.timeoutSeconds),
          environment: {
            TABLE_NAME: table.tableName,
            ...scopeEnvironment,
            PROTECTED_CLIENT_IDS: (props.protectedClientIds ?? []).join(','),
            POWERTOOLS_SERVICE_NAME: 'clients-api',
            ...historyEnvironment(props),
            ...(corsOrigins.length > 0 && { CORS_ORIGINS: corsOrigins.join(',') }),
          },
        });
        clientsTable.grant(
          construct.function,
          spec.dynamodbActions.map((action) => `dynamodb:${action}`),
          spec.dynamodbPartitions,
        );
        return [handler, construct.function];
      }),
    ) as Record<ApiHandlerName, NodejsFunction>;

    const stageThrottle = props.throttling ?? STAGE_THROTTLE;
    const accessLogs = new LogGroup(this, 'AccessLogs', {
      retention: RetentionDays.THREE_MONTHS,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    this.api = new RestApi(this, 'Api', {
      restApiName: API_NAME,
      description: 'Admin API for OAuth/OpenID Connect client registrations',
      endpointTypes: [EndpointType.REGIONAL],
      // The role behind AWS::ApiGateway::Account is one per account and region, shared by every
      // REST API there: deleting this stack must not take it from the others.
      cloudWatchRole: true,
      cloudWatchRoleRemovalPolicy: RemovalPolicy.RETAIN,
      deployOptions: {
        stageName: STAGE,
        accessLogDestination: new LogGroupLogDestination(accessLogs),
        accessLogFormat: AccessLogFormat.jsonWithStandardFields(),
        ...methodLogging,
        tracingEnabled: true,
        throttlingRateLimit: stageThrottle.rateLimit,
        throttlingBurstLimit: stageThrottle.burstLimit,
        methodOptions: methodThrottles(stageThrottle),
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
    new ApiErrorResponses(this, 'ErrorResponses', { api: this.api, requiredScope, corsOrigins });

    const integrations = new Map<ApiHandlerName, LambdaIntegration>();
    for (const route of API_ROUTES) {
      if (!integrations.has(route.handler))
        integrations.set(route.handler, new LambdaIntegration(functions[route.handler]));
      this.api.root.resourceForPath(route.path).addMethod(route.method, integrations.get(route.handler));
    }
    // API Gateway answers a method a resource lacks as an unknown path (MISSING_AUTHENTICATION_TOKEN):
    // an ANY method, which catches every method not declared beside it, answers the 405 instead,
    // behind the same authorizer so that 401 and 403 still come first.
    for (const [path, methods] of methodsByResource()) {
      const resource = this.api.root.resourceForPath(path);
      const { integration, methodResponses } = methodNotAllowed(methods, corsOrigins);
      resource.addMethod('ANY', integration, { methodResponses });
      // A browser's preflight carries no token: with origins allowed, the OPTIONS method answers
      // it without the authorizer; without, OPTIONS stays a 405 behind it, as any other method.
      if (corsOrigins.length > 0) {
        const preflight = preflightIntegration(methods, corsOrigins);
        resource.addMethod('OPTIONS', preflight.integration, {
          methodResponses: preflight.methodResponses,
          authorizationType: AuthorizationType.NONE,
          authorizer: { authorizerId: '', authorizationType: AuthorizationType.NONE },
        });
      }
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

    const clientEvents = new ClientHistoryEvents(this, 'ClientEvents', {
      clientsTable,
      source: API_NAME,
      archiveRetentionDays: props.eventArchiveRetentionDays ?? 365,
      removalPolicy,
    });

    new CfnOutput(this, 'ApiUrl', { value: this.api.url, description: 'Base URL: append api/clients/{client_id}' });
    new CfnOutput(this, 'TableName', { value: table.tableName });
    new CfnOutput(this, 'Issuer', { value: issuer.issuerUrl });
    new CfnOutput(this, 'RequiredScope', { value: requiredScope });
    new CfnOutput(this, 'ApiScopes', {
      value: apiScopes({ requiredScope, scopePrefix }).join(' '),
      description:
        'The scopes the routes accept, as tokens must spell them (a token needs one; each route checks its own)',
    });
    new CfnOutput(this, 'EventBusName', { value: clientEvents.bus.eventBusName });
  }

  /**
   * The authorizer's environment and the scope every request needs, for the configured issuer
   * or a user pool created here. Settings that would deploy an API answering every call 401 or
   * 403, or accepting another audience's tokens, refuse the synth.
   */
  private issuerSettings(
    props: ClientsApiStackProps,
    removalPolicy: RemovalPolicy,
  ): {
    requiredScope: string;
    issuerUrl: string;
    environment: Record<string, string>;
    /** The introspection client's secret, which the authorizer then reads. */
    introspectionSecret?: ISecret;
  } {
    const { issuer } = props;
    if (issuer && 'introspectionUrl' in issuer) return this.introspectionSettings(issuer, props.requiredScope);
    if (issuer && 'cognitoUserPoolId' in issuer) {
      return {
        requiredScope: cognitoScope(props.requiredScope, issuer.cognitoResourceServer),
        issuerUrl: `https://cognito-idp.${this.region}.${this.urlSuffix}/${issuer.cognitoUserPoolId}`,
        environment: {
          COGNITO_USER_POOL_ID: issuer.cognitoUserPoolId,
          COGNITO_CLIENT_IDS: (issuer.cognitoClientIds ?? []).join(','),
        },
      };
    }
    if (issuer) {
      const audience = issuer.audience ?? [];
      if (audience.length === 0 && !issuer.acceptAnyAudience) {
        throw new SettingsError(
          'issuerUrl needs audience (-c audience=<aud>): without it any token of that issuer carrying the scope is accepted; set acceptAnyAudience=true to accept that',
        );
      }
      if (audience.length > 0 && issuer.acceptAnyAudience) {
        throw new SettingsError('give audience or acceptAnyAudience, not both');
      }
      return {
        requiredScope: props.requiredScope ?? REQUIRED_SCOPE_DEFAULT,
        issuerUrl: issuer.issuerUrl,
        environment: {
          JWT_ISSUER: issuer.issuerUrl,
          JWT_JWKS_URI: issuer.jwksUri ?? '',
          JWT_AUDIENCE: audience.join(','),
        },
      };
    }
    if (props.cognitoDomainPrefix !== undefined) validateDomainPrefix(props.cognitoDomainPrefix);
    const created = new CognitoTokenIssuer(this, 'TokenIssuer', {
      scopeNames: API_SCOPE_NAMES,
      // Unique per stack, not only per account: the stack id's UUID (lower-case hex and hyphens).
      domainPrefix:
        props.cognitoDomainPrefix ?? Fn.join('-', ['clients-api', Fn.select(2, Fn.split('/', this.stackId))]),
      removalPolicy,
    });
    new CfnOutput(this, 'TokenEndpoint', { value: created.tokenEndpoint });
    new CfnOutput(this, 'AdminClientId', { value: created.adminClient.userPoolClientId });
    new CfnOutput(this, 'UserPoolId', { value: created.userPool.userPoolId });
    return {
      requiredScope: props.requiredScope ?? created.requiredScope,
      issuerUrl: created.issuerUrl,
      environment: { COGNITO_USER_POOL_ID: created.userPool.userPoolId },
    };
  }

  /**
   * Opaque tokens: the authorizer asks the introspection endpoint, as a client whose secret it
   * reads from Secrets Manager. Tokens carry the scopes as their server spells them (Boruta:
   * bare `clients:manage:all`), so `requiredScope` defaults to the bare scope.
   */
  private introspectionSettings(
    issuer: Extract<IssuerSettings, { introspectionUrl: string }>,
    requiredScope: string | undefined,
  ) {
    if (!issuer.introspectionUrl.startsWith('https://'))
      throw new SettingsError('introspectionUrl must be an https URL');
    if (!issuer.introspectionClientId || !issuer.introspectionSecret) {
      throw new SettingsError(
        'introspectionUrl needs introspectionClientId and introspectionSecret (the ARN or name of the Secrets Manager secret holding the client secret)',
      );
    }
    const authMethod = issuer.introspectionAuthMethod ?? 'client_secret_basic';
    if (!CLIENT_AUTH_METHODS.includes(authMethod)) {
      throw new SettingsError(`introspectionAuthMethod must be ${CLIENT_AUTH_METHODS.join(' or ')}, not ${authMethod}`);
    }
    const introspectionSecret = issuer.introspectionSecret.startsWith('arn:')
      ? Secret.fromSecretCompleteArn(this, 'IntrospectionSecret', issuer.introspectionSecret)
      : Secret.fromSecretNameV2(this, 'IntrospectionSecret', issuer.introspectionSecret);
    return {
      requiredScope: requiredScope ?? REQUIRED_SCOPE_DEFAULT,
      issuerUrl: issuer.introspectionUrl,
      environment: {
        INTROSPECTION_URL: issuer.introspectionUrl,
        INTROSPECTION_CLIENT_ID: issuer.introspectionClientId,
        INTROSPECTION_SECRET_ID: issuer.introspectionSecret,
        INTROSPECTION_AUTH_METHOD: authMethod,
      },
      introspectionSecret,
    };
  }
}

/** Each allowed origin checked at synth, where a typo would otherwise fail every browser. */
function validCorsOrigins(origins: readonly string[] = []): string[] {
  try {
    return parseCorsOrigins(origins);
  } catch (error) {
    throw new SettingsError(`corsOrigins: ${(error as Error).message}`);
  }
}

/**
 * The scope an existing pool's tokens must carry. Cognito names custom scopes
 * `<resource server identifier>/<scope name>`: the bare `clients:manage:all` never appears in
 * its access tokens, so the scope is given, or built from the resource server.
 */
function cognitoScope(requiredScope: string | undefined, resourceServer: string | undefined): string {
  if (requiredScope && resourceServer) throw new SettingsError('give requiredScope or cognitoResourceServer, not both');
  if (requiredScope) return requiredScope;
  if (resourceServer) return `${resourceServer}/${REQUIRED_SCOPE_DEFAULT}`;
  throw new SettingsError(
    `cognitoUserPoolId needs requiredScope: Cognito access tokens carry <resource server>/<scope> (e.g. -c requiredScope=clients-api/${REQUIRED_SCOPE_DEFAULT}), or give -c cognitoResourceServer=<identifier>`,
  );
}

/** The history settings every function reads (lambda/config.ts), checked at synth. */
function historyEnvironment(props: ClientsApiStackProps): Record<string, string> {
  try {
    return {
      HISTORY_CAPACITY: String(historyCapacity(props.historyCapacity?.toString())),
      HISTORY_RETENTION_DAYS: String(historyRetentionDays(props.historyRetentionDays?.toString())),
    };
  } catch (error) {
    throw new SettingsError((error as Error).message);
  }
}

/** Cognito's rules for a domain prefix, checked before CloudFormation meets them. */
function validateDomainPrefix(prefix: string): void {
  if (!/^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/.test(prefix)) {
    throw new SettingsError(
      `cognitoDomainPrefix must be 1 to 63 lower-case letters, digits and hyphens, without a hyphen first or last: ${prefix}`,
    );
  }
  const reserved = ['aws', 'amazon', 'cognito'].find((word) => prefix.includes(word));
  if (reserved)
    throw new SettingsError(`cognitoDomainPrefix must not contain ${reserved} (Cognito reserves it): ${prefix}`);
}

// Request and response bodies carry client secrets: never log them.
const methodLogging = {
  loggingLevel: MethodLoggingLevel.ERROR,
  dataTraceEnabled: false,
  metricsEnabled: true,
} as const;

/**
 * The methods with a throttle of their own (key generation), never above the stage's. Each
 * method setting is whole, so it repeats the stage's logging settings.
 */
function methodThrottles(stage: Throttle): Record<string, MethodDeploymentOptions> {
  return Object.fromEntries(
    API_ROUTES.flatMap((route) => {
      const throttle = (API_FUNCTIONS[route.handler] as FunctionSpec).throttle;
      if (!throttle) return [];
      const options: MethodDeploymentOptions = {
        ...methodLogging,
        throttlingRateLimit: Math.min(throttle.rateLimit, stage.rateLimit),
        throttlingBurstLimit: Math.min(throttle.burstLimit, stage.burstLimit),
      };
      return [[`${route.path}/${route.method}`, options]];
    }),
  );
}

/**
 * A MOCK integration (no function runs) that answers the contract's 405 with `Allow`, and the
 * CORS headers when the request's Origin is allowed, as a function's answer has them.
 */
function methodNotAllowed(
  methods: readonly string[],
  corsOrigins: readonly string[],
): {
  integration: MockIntegration;
  methodResponses: MethodResponse[];
} {
  const answer = methodNotAllowedAnswer(methods);
  const headers = Object.entries(answer.headers ?? {});
  const integration = new MockIntegration({
    // Whatever the request's body, the mock only needs a status to select its one response.
    requestTemplates: { 'application/json': '{"statusCode": 405}' },
    passthroughBehavior: PassthroughBehavior.WHEN_NO_MATCH,
    integrationResponses: [
      {
        statusCode: '405',
        responseParameters: Object.fromEntries(
          [...headers, ...(corsOrigins.length > 0 ? [['Vary', 'Origin']] : [])].map(([name, value]) => [
            `method.response.header.${name}`,
            `'${value}'`,
          ]),
        ),
        responseTemplates: {
          'application/json': `${corsOverrideTemplate(corsOrigins, allowedOriginHeaders)}${answer.body}`,
        },
      },
    ],
  });
  const methodResponses = [
    {
      statusCode: '405',
      responseParameters: {
        ...Object.fromEntries(headers.map(([name]) => [`method.response.header.${name}`, true])),
        ...(corsOrigins.length > 0 && corsMethodResponseParameters(allowedOriginHeaders('*'))),
      },
    },
  ];
  return { integration, methodResponses };
}
