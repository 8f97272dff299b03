import type { APIGatewayProxyResult } from 'aws-lambda';
import { allowedOriginHeaders } from '../lambda/http/cors.js';
import {
  type HttpError,
  insufficientScope,
  internalServerError,
  methodNotAllowed,
  notFound,
  payloadTooLarge,
  unauthorized,
  unsupportedMediaType,
} from '../lambda/http/http-error.js';
import { errorResponse } from '../lambda/http/response.js';

/** An answer API Gateway gives by itself, in the functions' error format (CONTRACT §2). */
export interface GatewayError {
  statusCode: number;
  body: { code: string; message: string; errors?: unknown };
  headers: Record<string, string>;
}

const fromHttpError = (error: HttpError): GatewayError => ({
  statusCode: error.statusCode,
  body: error.toBody(),
  headers: error.headers,
});
const generic = (statusCode: number, code: string, message: string, headers = {}): GatewayError => ({
  statusCode,
  body: { code, message },
  headers,
});

/**
 * The CORS headers of every gateway response (401 of the authorizer, 403, 404, 413, 429, 5xx...).
 * A gateway response maps headers from static values or request parameters only, and its body
 * template is not VTL: it cannot tell an allowed origin from another. Echoing the request's
 * Origin would allow every origin, so it carries the first allowed origin, fixed: browsers
 * there read API Gateway's own errors; at the other allowed origins they see network errors.
 */
export function gatewayResponseCorsHeaders(corsOrigins: readonly string[]): Record<string, string> {
  const [first] = corsOrigins;
  return first === undefined ? {} : { ...allowedOriginHeaders(first), Vary: 'Origin' };
}

/**
 * API Gateway's gateway response types and how this API answers each: the stack configures
 * them (ApiErrorResponses) and the local server answers with them, so both say the same.
 * Types not listed keep API Gateway's status with a JSON body (DEFAULT_4XX, DEFAULT_5XX).
 * With allowed origins, each carries gatewayResponseCorsHeaders.
 */
export function gatewayErrors(
  requiredScope: string,
  corsOrigins: readonly string[] = [],
): Record<string, GatewayError> {
  const cors = gatewayResponseCorsHeaders(corsOrigins);
  const errors = gatewayErrorAnswers(requiredScope);
  return Object.fromEntries(
    Object.entries(errors).map(([type, error]) => [type, { ...error, headers: { ...error.headers, ...cors } }]),
  );
}

function gatewayErrorAnswers(requiredScope: string): Record<string, GatewayError> {
  const internal = fromHttpError(internalServerError());
  const malformed = generic(400, 'BAD_REQUEST', 'The request is malformed.');
  const forbidden = generic(403, 'FORBIDDEN', 'You are forbidden to access this resource.');
  return {
    // One gateway response type cannot tell a missing token from a bad one (see docs/deploy.md).
    UNAUTHORIZED: fromHttpError(unauthorized(true)),
    ACCESS_DENIED: fromHttpError(insufficientScope(requiredScope)),
    // REST APIs answer a path that names no resource with MISSING_AUTHENTICATION_TOKEN (403);
    // a resource's missing methods are its MOCK method's 405 (methodNotAllowedAnswer).
    MISSING_AUTHENTICATION_TOKEN: fromHttpError(notFound()),
    RESOURCE_NOT_FOUND: fromHttpError(notFound()),
    REQUEST_TOO_LARGE: fromHttpError(payloadTooLarge()),
    UNSUPPORTED_MEDIA_TYPE: fromHttpError(unsupportedMediaType()),
    BAD_REQUEST_BODY: malformed,
    BAD_REQUEST_PARAMETERS: malformed,
    INVALID_API_KEY: forbidden,
    WAF_FILTERED: forbidden,
    THROTTLED: generic(429, 'TOO_MANY_REQUESTS', 'Too many requests. Retry later.', { 'Retry-After': '1' }),
    QUOTA_EXCEEDED: generic(429, 'TOO_MANY_REQUESTS', 'The request quota is exhausted.'),
    INTEGRATION_FAILURE: generic(502, 'BAD_GATEWAY', 'The service failed to answer.'),
    INTEGRATION_TIMEOUT: generic(504, 'GATEWAY_TIMEOUT', 'The service did not answer in time.'),
    AUTHORIZER_FAILURE: internal,
    AUTHORIZER_CONFIGURATION_ERROR: internal,
  };
}

/**
 * The body of every other 5XX API Gateway answers (DEFAULT_5XX), with API Gateway's own status:
 * a fixed text, since which gateway response type carries a failed Lambda proxy integration
 * (502) is not documented, and forcing one status on DEFAULT_5XX would turn that 502 into it.
 */
export const DEFAULT_5XX_BODY = internalServerError().toBody();

/**
 * The answer of the MOCK method every resource has for the methods it does not serve: the
 * contract's 405 with `Allow`, exactly as a function would give it.
 */
export function methodNotAllowedAnswer(allowed: readonly string[]): APIGatewayProxyResult {
  return errorResponse(methodNotAllowed(allowed));
}

/**
 * The answer of a MOCK 405 method to a token that holds none of its resource's scopes: the 403
 * with `WWW-Authenticate` that the resource's functions answer such a token.
 */
export function insufficientScopeAnswer(scope: string): APIGatewayProxyResult {
  return errorResponse(insufficientScope(scope));
}
