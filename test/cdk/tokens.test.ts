import type { Template } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import type { ClientsApiStackProps } from '../../lib/clients-api-stack.js';
import { SettingsError } from '../../lib/settings-error.js';
import { functionNamed, synthesize } from './stack.js';

const SECRET_ARN = 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:clients-api/introspection-AbCdEf';
const BORUTA = {
  introspectionUrl: 'https://boruta.example.com/oauth/introspect',
  introspectionClientId: '00000000-0000-4000-8000-000000000001',
  introspectionSecret: SECRET_ARN,
  introspectionTokenClientIds: ['boruta-admin-ui'],
};

type IntrospectionIssuer = Extract<NonNullable<ClientsApiStackProps['issuer']>, { introspectionUrl: string }>;

const authorizerEnvironment = (template: Template) =>
  functionNamed(template, /Verifies bearer tokens/).properties.Environment.Variables;

/** The statements of the authorizer's role. */
function authorizerStatements(template: Template) {
  const { properties } = functionNamed(template, /Verifies bearer tokens/);
  const policies = template.findResources('AWS::IAM::Policy', {
    Properties: { Roles: [{ Ref: properties.Role['Fn::GetAtt'][0] }] },
  });
  return Object.values(policies).flatMap((policy) => policy.Properties.PolicyDocument.Statement);
}

const apiScopesOutput = (template: Template) => template.findOutputs('ApiScopes').ApiScopes?.Value;

describe("the API's scopes as each deployment spells them", () => {
  it.each<[string, ClientsApiStackProps, string]>([
    [
      'the created user pool (its resource server prefixes them)',
      {},
      'clients-api/clients:manage:all clients-api/scopes:manage:all clients-api/users:manage:all clients-api/identity-providers:manage:all',
    ],
    [
      'an existing pool with its resource server',
      { issuer: { cognitoUserPoolId: 'eu-west-1_Abc', cognitoResourceServer: 'admin-api' } },
      'admin-api/clients:manage:all admin-api/scopes:manage:all admin-api/users:manage:all admin-api/identity-providers:manage:all',
    ],
    [
      'an OIDC issuer (bare, as Boruta spells them)',
      { issuer: { issuerUrl: 'https://idp.example.com/', audience: ['clients-api'] } },
      'clients:manage:all scopes:manage:all users:manage:all identity-providers:manage:all',
    ],
    [
      'a requiredScope and scopePrefix of their own',
      {
        issuer: { issuerUrl: 'https://idp.example.com/', audience: ['clients-api'] },
        requiredScope: 'admin',
        scopePrefix: 'api://clients/',
      },
      'admin api://clients/scopes:manage:all api://clients/users:manage:all api://clients/identity-providers:manage:all',
    ],
  ])('outputs them for %s', (_, props, scopes) => {
    expect(apiScopesOutput(synthesize(props))).toBe(scopes);
  });

  it('gives the authorizer and every function the scope prefix when one is set, so that both spell the scopes alike', () => {
    const template = synthesize({
      issuer: { issuerUrl: 'https://idp.example.com/', audience: ['clients-api'] },
      requiredScope: 'admin',
      scopePrefix: 'api://clients/',
    });
    expect(authorizerEnvironment(template)).toMatchObject({ REQUIRED_SCOPE: 'admin', SCOPE_PREFIX: 'api://clients/' });
    expect(functionNamed(template, /^POST \/api\/scopes$/).properties.Environment.Variables).toMatchObject({
      REQUIRED_SCOPE: 'admin',
      SCOPE_PREFIX: 'api://clients/',
    });
  });
});

describe('a stack for opaque tokens (introspection)', () => {
  it('runs the introspection authorizer with the endpoint, the client and its secret, and no JWT issuer', () => {
    const template = synthesize({ issuer: BORUTA });
    const { properties } = functionNamed(template, /Verifies bearer tokens/);
    expect(properties.Description).toBe('Verifies bearer tokens by introspection and the API scopes');
    expect(properties.Environment.Variables).toEqual({
      INTROSPECTION_URL: BORUTA.introspectionUrl,
      INTROSPECTION_CLIENT_ID: BORUTA.introspectionClientId,
      INTROSPECTION_SECRET_ID: SECRET_ARN,
      INTROSPECTION_AUTH_METHOD: 'client_secret_basic',
      INTROSPECTION_TOKEN_CLIENT_IDS: 'boruta-admin-ui',
      INTROSPECTION_AUDIENCE: '',
      REQUIRED_SCOPE: 'clients:manage:all',
    });
    template.resourceCountIs('AWS::Cognito::UserPool', 0);
    expect(template.findOutputs('Issuer').Issuer?.Value).toBe(BORUTA.introspectionUrl);
  });

  it('lets the authorizer read that secret and nothing else of Secrets Manager', () => {
    const statements = authorizerStatements(synthesize({ issuer: BORUTA })).filter((statement) =>
      [statement.Action].flat().some((action: string) => action.startsWith('secretsmanager:')),
    );
    expect(statements).toEqual([
      {
        Effect: 'Allow',
        Action: ['secretsmanager:DescribeSecret', 'secretsmanager:GetSecretValue'],
        Resource: SECRET_ARN,
      },
    ]);
  });

  it('reads a secret given by name, whatever suffix Secrets Manager gave its ARN', () => {
    const template = synthesize({ issuer: { ...BORUTA, introspectionSecret: 'clients-api/introspection' } });
    expect(authorizerEnvironment(template).INTROSPECTION_SECRET_ID).toBe('clients-api/introspection');
    const [statement] = authorizerStatements(template).filter((entry) =>
      [entry.Action].flat().includes('secretsmanager:GetSecretValue'),
    );
    expect(JSON.stringify(statement.Resource)).toContain(':secret:clients-api/introspection-??????');
  });

  it('authenticates in the form when told so (client_secret_post)', () => {
    const template = synthesize({ issuer: { ...BORUTA, introspectionAuthMethod: 'client_secret_post' } });
    expect(authorizerEnvironment(template).INTROSPECTION_AUTH_METHOD).toBe('client_secret_post');
  });

  it.each<[string, Partial<IntrospectionIssuer>, Record<string, string>]>([
    [
      'several accepted clients',
      { introspectionTokenClientIds: ['boruta-admin-ui', 'ops-cli'] },
      { INTROSPECTION_TOKEN_CLIENT_IDS: 'boruta-admin-ui,ops-cli', INTROSPECTION_AUDIENCE: '' },
    ],
    [
      'accepted audiences instead',
      { introspectionTokenClientIds: undefined, introspectionAudience: ['clients-api', 'admin'] },
      { INTROSPECTION_TOKEN_CLIENT_IDS: '', INTROSPECTION_AUDIENCE: 'clients-api,admin' },
    ],
    [
      'the explicit waiver (acceptAnyAudience)',
      { introspectionTokenClientIds: undefined, acceptAnyAudience: true },
      { INTROSPECTION_TOKEN_CLIENT_IDS: '', INTROSPECTION_AUDIENCE: '' },
    ],
  ])('gives the authorizer the tokens it accepts: %s', (_, settings, environment) => {
    const template = synthesize({ issuer: { ...BORUTA, ...settings } });
    expect(authorizerEnvironment(template)).toMatchObject(environment);
  });

  it.each<
    [
      string,
      Omit<Partial<IntrospectionIssuer>, 'introspectionAuthMethod'> & { introspectionAuthMethod?: string },
      string,
    ]
  >([
    [
      'a plain http endpoint',
      { introspectionUrl: 'http://boruta.example.com/oauth/introspect' },
      'introspectionUrl must be an https URL',
    ],
    [
      'no client id',
      { introspectionClientId: '' },
      'introspectionUrl needs introspectionClientId and introspectionSecret (the ARN or name of the Secrets Manager secret holding the client secret)',
    ],
    [
      'no secret',
      { introspectionSecret: '' },
      'introspectionUrl needs introspectionClientId and introspectionSecret (the ARN or name of the Secrets Manager secret holding the client secret)',
    ],
    [
      'another authentication method',
      { introspectionAuthMethod: 'private_key_jwt' },
      'introspectionAuthMethod must be client_secret_basic or client_secret_post, not private_key_jwt',
    ],
    [
      'neither accepted clients nor audiences, which would admit every client of that server',
      { introspectionTokenClientIds: undefined },
      'introspectionUrl needs introspectionTokenClientIds (-c introspectionTokenClientIds=<client id of the admin UI>) or introspectionAudience (-c introspectionAudience=<aud>): without them any active token of that server carrying an API scope is accepted, whichever client it was issued to; set acceptAnyAudience=true to accept that',
    ],
    [
      'empty lists',
      { introspectionTokenClientIds: [], introspectionAudience: [] },
      'introspectionUrl needs introspectionTokenClientIds (-c introspectionTokenClientIds=<client id of the admin UI>) or introspectionAudience (-c introspectionAudience=<aud>): without them any active token of that server carrying an API scope is accepted, whichever client it was issued to; set acceptAnyAudience=true to accept that',
    ],
    [
      'accepted clients with the waiver',
      { acceptAnyAudience: true },
      'give introspectionTokenClientIds or introspectionAudience, or acceptAnyAudience, not both',
    ],
  ])('refuses %s at synth', (_, settings, message) => {
    expect(() => synthesize({ issuer: { ...BORUTA, ...settings } as ClientsApiStackProps['issuer'] })).toThrow(
      new SettingsError(message),
    );
  });
});
