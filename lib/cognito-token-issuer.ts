import { Duration, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import {
  AccountRecovery,
  FeaturePlan,
  Mfa,
  OAuthScope,
  ResourceServerScope,
  UserPool,
  type UserPoolClient,
} from 'aws-cdk-lib/aws-cognito';
import { Construct } from 'constructs';

export interface CognitoTokenIssuerProps {
  /** The scope name inside the resource server (default `clients:manage:all`). */
  scopeName?: string;
  /** The resource server identifier, which Cognito puts before the scope name. */
  resourceServerIdentifier?: string;
  /** The prefix of the Cognito domain that serves /oauth2/token; unique per region. */
  domainPrefix: string;
  removalPolicy: RemovalPolicy;
}

/**
 * A token issuer for a stack deployed without one: a Cognito user pool with a resource server
 * and an app client for the client-credentials grant, so that a fresh stack works at once.
 * Cognito names custom scopes `<resource server identifier>/<scope name>`: with the defaults,
 * tokens carry `clients-api/clients:manage:all`, and that is the scope the API then requires.
 */
export class CognitoTokenIssuer extends Construct {
  readonly userPool: UserPool;
  readonly adminClient: UserPoolClient;
  readonly requiredScope: string;
  readonly issuerUrl: string;
  readonly tokenEndpoint: string;

  constructor(scope: Construct, id: string, props: CognitoTokenIssuerProps) {
    super(scope, id);
    const identifier = props.resourceServerIdentifier ?? 'clients-api';
    const manageAll = new ResourceServerScope({
      scopeName: props.scopeName ?? 'clients:manage:all',
      scopeDescription: 'Manage every OAuth client registration',
    });

    this.userPool = new UserPool(this, 'UserPool', {
      selfSignUpEnabled: false,
      featurePlan: FeaturePlan.ESSENTIALS,
      mfa: Mfa.REQUIRED,
      mfaSecondFactor: { otp: true, sms: false },
      passwordPolicy: {
        minLength: 14,
        requireDigits: true,
        requireLowercase: true,
        requireUppercase: true,
        requireSymbols: true,
      },
      accountRecovery: AccountRecovery.NONE,
      deletionProtection: props.removalPolicy === RemovalPolicy.RETAIN,
      removalPolicy: props.removalPolicy,
    });
    Validations.of(this.userPool).acknowledge({
      id: 'AwsSolutions-COG8',
      reason:
        'The pool only issues client-credentials tokens to machine clients: no user signs in, so the Plus tier threat protection would watch nothing.',
    });
    const resourceServer = this.userPool.addResourceServer('ResourceServer', { identifier, scopes: [manageAll] });
    this.adminClient = this.userPool.addClient('AdminClient', {
      generateSecret: true,
      authFlows: {},
      oAuth: {
        flows: { clientCredentials: true },
        scopes: [OAuthScope.resourceServer(resourceServer, manageAll)],
      },
      accessTokenValidity: Duration.hours(1),
    });
    const domain = this.userPool.addDomain('Domain', { cognitoDomain: { domainPrefix: props.domainPrefix } });

    this.requiredScope = `${identifier}/${manageAll.scopeName}`;
    this.issuerUrl = `https://cognito-idp.${Stack.of(this).region}.${Stack.of(this).urlSuffix}/${this.userPool.userPoolId}`;
    this.tokenEndpoint = `${domain.baseUrl()}/oauth2/token`;
  }
}
