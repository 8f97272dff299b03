import { type MethodResponse, MockIntegration, PassthroughBehavior } from 'aws-cdk-lib/aws-apigateway';
import { preflightHeaders } from '../lambda/http/cors.js';
import { mockRequestTemplates } from './mock-requests.js';

/**
 * What API Gateway REST can do for CORS, and so what the stack does (the local gateway copies it):
 * - a MOCK integration's response mapping template is Velocity (VTL) and may set a header only
 *   when the request's Origin is one of the allowed (`$context.responseOverride.header`): the
 *   preflight (OPTIONS) and the 405 methods answer each allowed origin with itself, others with
 *   no CORS header;
 * - a gateway response cannot (gatewayResponseCorsHeaders in lib/gateway-errors.ts).
 */

/**
 * A VTL snippet for a MOCK integration response: when the request's Origin is one of
 * `corsOrigins`, it sets `headersFor(origin)`. One line that prints nothing, so that it can lead a
 * body template. Origins were checked to be serialised origins (no quote, `$` or `#`).
 */
export function corsOverrideTemplate(
  corsOrigins: readonly string[],
  headersFor: (origin: string) => Record<string, string>,
): string {
  if (corsOrigins.length === 0) return '';
  const condition = corsOrigins.map((origin) => `$origin == "${origin}"`).join(' || ');
  const overrides = Object.entries(headersFor('$origin'))
    .map(([name, value]) => `#set($context.responseOverride.header.${name} = "${value}")`)
    .join('');
  // HTTP/2 clients send the header in lower case.
  return [
    '#set($origin = $input.params().header.get("Origin"))',
    '#if("$!origin" == "")#set($origin = $input.params().header.get("origin"))#end',
    `#if(${condition})${overrides}#end`,
  ].join('');
}

/** Response parameters a method declares for the CORS headers its template may set. */
export function corsMethodResponseParameters(headers: Record<string, string>): Record<string, boolean> {
  return Object.fromEntries(
    [...Object.keys(headers), 'Vary'].map((name) => [`method.response.header.${name}`, true] as const),
  );
}

/**
 * The OPTIONS method of a resource: a MOCK integration (no function, no authorizer) that answers
 * 204, with the CORS headers for an allowed origin and `Vary: Origin` for every one.
 */
export function preflightIntegration(
  methods: readonly string[],
  corsOrigins: readonly string[],
): { integration: MockIntegration; methodResponses: MethodResponse[] } {
  const headersFor = (origin: string) => preflightHeaders(origin, methods);
  const integration = new MockIntegration({
    requestTemplates: mockRequestTemplates('{"statusCode": 204}'),
    passthroughBehavior: PassthroughBehavior.NEVER,
    integrationResponses: [
      {
        statusCode: '204',
        responseParameters: { 'method.response.header.Vary': "'Origin'" },
        responseTemplates: { 'application/json': corsOverrideTemplate(corsOrigins, headersFor) },
      },
    ],
  });
  const methodResponses = [{ statusCode: '204', responseParameters: corsMethodResponseParameters(headersFor('*')) }];
  return { integration, methodResponses };
}
