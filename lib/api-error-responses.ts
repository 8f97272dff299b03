import { GatewayResponse, type IRestApi, ResponseType } from 'aws-cdk-lib/aws-apigateway';
import { Construct } from 'constructs';
import {
  insufficientScope,
  internalServerError,
  notFound,
  payloadTooLarge,
  unauthorized,
  unsupportedMediaType,
} from '../lambda/http/http-error.js';

interface GatewayError {
  statusCode: number;
  code: string;
  message: string;
  errors?: unknown;
  headers?: Record<string, string>;
}

/**
 * API Gateway's own answers, in the functions' error format (CONTRACT §2): the authorizer's
 * 401 and 403 with their exact bodies and `WWW-Authenticate`, unknown routes as 404, and every
 * other gateway error as JSON `{code, message}` that names nothing internal.
 *
 * One gateway response type cannot tell a missing token from a bad one, so every 401 carries
 * `Bearer error="invalid_token"` (RFC 6750 allows the error code there; the functions, which can
 * tell, omit it when no token was sent).
 */
export class ApiErrorResponses extends Construct {
  constructor(scope: Construct, id: string, props: { api: IRestApi; requiredScope: string }) {
    super(scope, id);
    const fromHttpError = (error: ReturnType<typeof unauthorized>): GatewayError => ({
      statusCode: error.statusCode,
      ...error.toBody(),
      headers: error.headers,
    });
    const generic = (statusCode: number, code: string, message: string): GatewayError => ({
      statusCode,
      code,
      message,
    });
    const internal = fromHttpError(internalServerError());

    const responses: [ResponseType, GatewayError][] = [
      [ResponseType.UNAUTHORIZED, fromHttpError(unauthorized(true))],
      [ResponseType.ACCESS_DENIED, fromHttpError(insufficientScope(props.requiredScope))],
      // REST APIs answer an unknown route with MISSING_AUTHENTICATION_TOKEN (403).
      [ResponseType.MISSING_AUTHENTICATION_TOKEN, fromHttpError(notFound())],
      [ResponseType.RESOURCE_NOT_FOUND, fromHttpError(notFound())],
      [ResponseType.REQUEST_TOO_LARGE, fromHttpError(payloadTooLarge())],
      [ResponseType.UNSUPPORTED_MEDIA_TYPE, fromHttpError(unsupportedMediaType())],
      [ResponseType.BAD_REQUEST_BODY, generic(400, 'BAD_REQUEST', 'The request is malformed.')],
      [ResponseType.BAD_REQUEST_PARAMETERS, generic(400, 'BAD_REQUEST', 'The request is malformed.')],
      [ResponseType.INVALID_API_KEY, generic(403, 'FORBIDDEN', 'You are forbidden to access this resource.')],
      [ResponseType.WAF_FILTERED, generic(403, 'FORBIDDEN', 'You are forbidden to access this resource.')],
      [
        ResponseType.THROTTLED,
        { ...generic(429, 'TOO_MANY_REQUESTS', 'Too many requests. Retry later.'), headers: { 'Retry-After': '1' } },
      ],
      [ResponseType.QUOTA_EXCEEDED, generic(429, 'TOO_MANY_REQUESTS', 'The request quota is exhausted.')],
      [ResponseType.INTEGRATION_FAILURE, generic(502, 'BAD_GATEWAY', 'The service failed to answer.')],
      [ResponseType.INTEGRATION_TIMEOUT, generic(504, 'GATEWAY_TIMEOUT', 'The service did not answer in time.')],
      [ResponseType.AUTHORIZER_FAILURE, internal],
      [ResponseType.AUTHORIZER_CONFIGURATION_ERROR, internal],
      [ResponseType.API_CONFIGURATION_ERROR, internal],
      [ResponseType.DEFAULT_5XX, internal],
    ];
    for (const [type, error] of responses) {
      const { statusCode, headers = {}, ...body } = error;
      new GatewayResponse(this, type.responseType, {
        restApi: props.api,
        type,
        statusCode: String(statusCode),
        responseHeaders: quoted({ 'Content-Type': 'application/json', ...headers }),
        templates: { 'application/json': JSON.stringify(body) },
      });
    }
    // The remaining 4xx types keep their status; their code is API Gateway's name for them.
    new GatewayResponse(this, 'DEFAULT_4XX', {
      restApi: props.api,
      type: ResponseType.DEFAULT_4XX,
      responseHeaders: quoted({ 'Content-Type': 'application/json' }),
      templates: {
        'application/json': '{"code":"$context.error.responseType","message":$context.error.messageString}',
      },
    });
  }
}

/** Gateway response header values are mapping expressions: a static value is single-quoted. */
function quoted(headers: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(headers).map(([name, value]) => [name, `'${value}'`]));
}
