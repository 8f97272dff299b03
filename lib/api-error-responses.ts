import { GatewayResponse, type IRestApi, ResponseType } from 'aws-cdk-lib/aws-apigateway';
import { Construct } from 'constructs';
import { DEFAULT_5XX_BODY, gatewayErrors, gatewayResponseCorsHeaders } from './gateway-errors.js';

/**
 * API Gateway's own answers in the functions' error format: the authorizer's 401 and 403 with
 * the contract's bodies and `WWW-Authenticate`, unknown routes as 404, every other gateway
 * error as JSON `{code, message}` that names nothing internal (lib/gateway-errors.ts); with
 * allowed origins, every one carries their CORS headers.
 */
export class ApiErrorResponses extends Construct {
  constructor(
    scope: Construct,
    id: string,
    props: { api: IRestApi; requiredScope: string; corsOrigins?: readonly string[] },
  ) {
    super(scope, id);
    const corsOrigins = props.corsOrigins ?? [];
    for (const [type, { statusCode, body, headers }] of Object.entries(
      gatewayErrors(props.requiredScope, corsOrigins),
    )) {
      new GatewayResponse(this, type, {
        restApi: props.api,
        type: ResponseType.of(type),
        statusCode: String(statusCode),
        responseHeaders: quoted({ 'Content-Type': 'application/json', ...headers }),
        templates: { 'application/json': JSON.stringify(body) },
      });
    }
    // The remaining 4xx types keep their status; their code is API Gateway's name for them.
    new GatewayResponse(this, 'DEFAULT_4XX', {
      restApi: props.api,
      type: ResponseType.DEFAULT_4XX,
      responseHeaders: quoted({ 'Content-Type': 'application/json', ...gatewayResponseCorsHeaders(corsOrigins) }),
      templates: {
        'application/json': '{"code":"$context.error.responseType","message":$context.error.messageString}',
      },
    });
    // The remaining 5xx types keep their status too (a failed function's 502 stays 502).
    new GatewayResponse(this, 'DEFAULT_5XX', {
      restApi: props.api,
      type: ResponseType.DEFAULT_5XX,
      responseHeaders: quoted({ 'Content-Type': 'application/json', ...gatewayResponseCorsHeaders(corsOrigins) }),
      templates: { 'application/json': JSON.stringify(DEFAULT_5XX_BODY) },
    });
  }
}

/** Gateway response header values are mapping expressions: a static value is single-quoted. */
function quoted(headers: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(headers).map(([name, value]) => [name, `'${value}'`]));
}
