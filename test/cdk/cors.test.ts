import { Match, type Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { API_FUNCTIONS, API_ROUTES, type FunctionSpec, methodsByResource } from '../../lib/api-routes.js';
import { SettingsError } from '../../lib/settings-error.js';
import { everyMappedType, functionNamed, resourceIdOf, synthesize } from './stack.js';

const ADMIN_UI = 'https://admin.example.com';
const LOCAL_UI = 'http://localhost:4001';
const EXPOSED = "'ETag, Location, WWW-Authenticate, Retry-After'";

/** What the MOCK methods' templates test first: the request's Origin, in either case. */
const ORIGIN_OF_REQUEST =
  '#set($origin = $input.params().header.get("Origin"))#if("$!origin" == "")#set($origin = $input.params().header.get("origin"))#end';
const ALLOWED = `$origin == "${ADMIN_UI}" || $origin == "${LOCAL_UI}"`;

function gatewayResponses(template: Template) {
  return Object.values(template.findResources('AWS::ApiGateway::GatewayResponse')).map(
    (resource) => resource.Properties,
  );
}

function methodsOf(template: Template, httpMethod: string) {
  return Object.values(template.findResources('AWS::ApiGateway::Method', { Properties: { HttpMethod: httpMethod } }));
}

describe('a stack without allowed origins', () => {
  let template: Template;
  beforeAll(() => {
    template = synthesize();
  });

  it('has no OPTIONS method: a preflight meets the authorizer and the 405, as any other method', () => {
    expect(methodsOf(template, 'OPTIONS')).toEqual([]);
    template.resourceCountIs('AWS::ApiGateway::Method', API_ROUTES.length + methodsByResource().size);
  });

  it('sends no CORS header from API Gateway or the functions', () => {
    expect(JSON.stringify(template.toJSON())).not.toMatch(/Access-Control|CORS_ORIGINS|Vary/);
  });
});

describe('a stack with allowed origins', () => {
  let template: Template;
  beforeAll(() => {
    template = synthesize({ corsOrigins: [ADMIN_UI, LOCAL_UI] });
  });

  it.each([...methodsByResource()])(
    'answers the preflight on %s with a MOCK 204, without the authorizer, allowing its methods',
    (path, methods) => {
      const allow = methods.join(', ');
      template.hasResourceProperties('AWS::ApiGateway::Method', {
        ResourceId: { Ref: resourceIdOf(template, path) },
        HttpMethod: 'OPTIONS',
        AuthorizationType: 'NONE',
        AuthorizerId: Match.absent(),
        Integration: {
          Type: 'MOCK',
          RequestTemplates: everyMappedType('{"statusCode": 204}'),
          PassthroughBehavior: 'NEVER',
          IntegrationResponses: [
            {
              StatusCode: '204',
              ResponseParameters: { 'method.response.header.Vary': "'Origin'" },
              ResponseTemplates: {
                'application/json': `${ORIGIN_OF_REQUEST}#if(${ALLOWED})#set($context.responseOverride.header.Access-Control-Allow-Origin = "$origin")#set($context.responseOverride.header.Access-Control-Allow-Methods = "${allow}, OPTIONS")#set($context.responseOverride.header.Access-Control-Allow-Headers = "Authorization, Content-Type, If-Match")#set($context.responseOverride.header.Access-Control-Max-Age = "600")#end`,
              },
            },
          ],
        },
        MethodResponses: [
          {
            StatusCode: '204',
            ResponseParameters: {
              'method.response.header.Access-Control-Allow-Origin': true,
              'method.response.header.Access-Control-Allow-Methods': true,
              'method.response.header.Access-Control-Allow-Headers': true,
              'method.response.header.Access-Control-Max-Age': true,
              'method.response.header.Vary': true,
            },
          },
        ],
      });
    },
  );

  it('adds one OPTIONS method per resource and keeps every other method behind the authorizer', () => {
    template.resourceCountIs('AWS::ApiGateway::Method', API_ROUTES.length + 2 * methodsByResource().size);
    const others = Object.values(template.findResources('AWS::ApiGateway::Method')).filter(
      (method) => method.Properties.HttpMethod !== 'OPTIONS',
    );
    expect(others.every((method) => method.Properties.AuthorizationType === 'CUSTOM')).toBe(true);
  });

  it("gives the 405 MOCK methods' answers, 405 and 403, an allowed origin's headers, as a function's answer has them", () => {
    const corsThen = (body: string) => ({
      'application/json': `${ORIGIN_OF_REQUEST}#if(${ALLOWED})#set($context.responseOverride.header.Access-Control-Allow-Origin = "$origin")#set($context.responseOverride.header.Access-Control-Expose-Headers = "ETag, Location, WWW-Authenticate, Retry-After")#end${body}`,
    });
    const corsHeaders = Match.objectLike({
      'method.response.header.Access-Control-Allow-Origin': true,
      'method.response.header.Access-Control-Expose-Headers': true,
      'method.response.header.Vary': true,
    });
    template.hasResourceProperties('AWS::ApiGateway::Method', {
      ResourceId: { Ref: resourceIdOf(template, '/api/key-pairs') },
      HttpMethod: 'ANY',
      Integration: {
        IntegrationResponses: [
          Match.objectLike({
            StatusCode: '405',
            ResponseParameters: Match.objectLike({ 'method.response.header.Vary': "'Origin'" }),
            ResponseTemplates: corsThen(
              '{"code":"METHOD_NOT_ALLOWED","message":"The method is not allowed for this resource."}',
            ),
          }),
          Match.objectLike({
            StatusCode: '403',
            ResponseParameters: Match.objectLike({ 'method.response.header.Vary': "'Origin'" }),
            ResponseTemplates: corsThen(
              '{"code":"FORBIDDEN","message":"You are forbidden to access this resource.","errors":{"resource":["you are forbidden to access this resource."]}}',
            ),
          }),
        ],
      },
      MethodResponses: [
        { StatusCode: '405', ResponseParameters: corsHeaders },
        { StatusCode: '403', ResponseParameters: corsHeaders },
      ],
    });
  });

  it('gives every gateway response (401, 403, 404, 413, 429, 5xx...) the first origin, fixed, as AWS allows no other', () => {
    const responses = gatewayResponses(template);
    expect(responses.map((response) => response.ResponseType)).toEqual(
      expect.arrayContaining([
        'UNAUTHORIZED',
        'ACCESS_DENIED',
        'MISSING_AUTHENTICATION_TOKEN',
        'REQUEST_TOO_LARGE',
        'THROTTLED',
        'DEFAULT_4XX',
        'DEFAULT_5XX',
      ]),
    );
    for (const response of responses) {
      expect(response.ResponseParameters).toMatchObject({
        'gatewayresponse.header.Access-Control-Allow-Origin': `'${ADMIN_UI}'`,
        'gatewayresponse.header.Access-Control-Expose-Headers': EXPOSED,
        'gatewayresponse.header.Vary': "'Origin'",
      });
    }
  });

  it('tells every function the allowed origins, and not the authorizer', () => {
    for (const spec of Object.values(API_FUNCTIONS) as FunctionSpec[]) {
      const { properties } = functionNamed(template, new RegExp(`^${spec.description.replace(/[{}/]/g, '.')}$`));
      expect(properties.Environment.Variables.CORS_ORIGINS).toBe(`${ADMIN_UI},${LOCAL_UI}`);
    }
    expect(functionNamed(template, /Verifies bearer tokens/).properties.Environment.Variables).not.toHaveProperty(
      'CORS_ORIGINS',
    );
  });
});

describe('allowed origins that cannot work', () => {
  it.each(['https://admin.example.com/', 'https://Admin.example.com', '*', 'admin.example.com'])(
    'refuses %s at synth, naming it',
    (origin) => {
      expect(() => synthesize({ corsOrigins: [origin] })).toThrow(
        new SettingsError(
          `corsOrigins: a CORS origin must be an http(s) origin as browsers send it, such as https://admin.example.com (no path, no trailing slash, host in lower case): ${origin}`,
        ),
      );
    },
  );
});
