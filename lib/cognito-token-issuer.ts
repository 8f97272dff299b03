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
import { REQUIRED_SCOPE_DEFAULT } from '../lambda/http/http-error.js';

const SCOPE_DESCRIPTIONS: Record<string, string> = {
  'clients:manage:all': 'Manage every OAuth client registration',
  'scopes:manage:all': 'Manage scopes',
  'users:manage:all': 'Read scopes (for a user admin)',
  'identity-providers:manage:all': 'Manage identity providers',
};

export interface CognitoTokenIssuerProps {
  /** The API's scopes (`clients:manage:all` first among them), each a scope of the resource server. */
  scopeNames: readonly string[];
  /** The resource server identifier, which Cognito puts before the scope name. */
  resourceServerIdentifier?: string;
  /** The prefix of the Cognito domain that serves /oauth2/token; unique per region. */
  domainPrefix: string;
  removalPolicy: RemovalPolicy;
}

/**
 * A token issuer for a stack deployed without one: a Cognito user pool with a resource server
 * that defines every scope of the API, and an app client for the client-credentials grant that
 * may have them all, so that a fresh stack works at once, on every route. Cognito names custom
 * scopes `<resource server identifier>/<scope name>`: with the defaults, tokens carry
 * `clients-api/clients:manage:all`, `clients-api/scopes:manage:all`..., which is how the API then
 * spells them (REQUIRED_SCOPE, and the prefix `clients-api/` for the others).
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
    const scopes = props.scopeNames.map(
      (scopeName) =>
        new ResourceServerScope({ scopeName, scopeDescription: SCOPE_DESCRIPTIONS[scopeName] ?? scopeName }),
    );

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
    const resourceServer = this.userPool.addResourceServer('ResourceServer', { identifier, scopes });
    this.adminClient = this.userPool.addClient('AdminClient', {
      generateSecret: true,
      authFlows: {},
      oAuth: {
        flows: { clientCredentials: true },
        scopes: scopes.map((scope) => OAuthScope.resourceServer(resourceServer, scope)),
      },
      accessTokenValidity: Duration.hours(1),
    });
    const domain = this.userPool.addDomain('Domain', { cognitoDomain: { domainPrefix: props.domainPrefix } });

    this.requiredScope = `${identifier}/${REQUIRED_SCOPE_DEFAULT}`;
    this.issuerUrl = `https://cognito-idp.${Stack.of(this).region}.${Stack.of(this).urlSuffix}/${this.userPool.userPoolId}`;
    this.tokenEndpoint = `${domain.baseUrl()}/oauth2/token`;
  }
}
