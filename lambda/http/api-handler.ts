import type { Logger } from '@aws-lambda-powertools/logger';
import type { APIGatewayProxyEvent, APIGatewayProxyResult, Context } from 'aws-lambda';
import { StoreUnavailableError } from '../store/client-store.js';
import { corsHeaders } from './cors.js';
import {
  HttpError,
  insufficientScope,
  internalServerError,
  methodNotAllowed,
  notAcceptable,
  serviceUnavailable,
  unauthorized,
} from './http-error.js';
import { acceptsJson } from './negotiation.js';
import { type ApiRequest, decodeEvent } from './request.js';
import { errorResponse } from './response.js';
import type { RouteScopes } from './route-scopes.js';

export interface ApiHandlerOptions {
  logger: Logger;
  /** The scope the authorizer must have found in the token. */
  requiredScope: string;
  /** The route's own scopes (any one suffices), when not just `requiredScope`. */
  scopes?: RouteScopes;
  methods: readonly string[];
  /** Origins whose browsers may read the answers (CORS_ORIGINS); none, no CORS headers. */
  corsOrigins?: readonly string[];
}

/** Attributes a route adds to its request's log line (counts, never request data). */
export type RequestLogAttributes = Record<string, number>;
export type Route = (request: ApiRequest, log: RequestLogAttributes) => Promise<APIGatewayProxyResult>;
export type LambdaHandler = (event: APIGatewayProxyEvent, context: Context) => Promise<APIGatewayProxyResult>;

/**
 * What every route shares, in the contract's order: authorization (again, behind the
 * authorizer: a missing context is a 401, never a pass), method, content negotiation, then the
 * route; errors become their JSON bodies, unknown failures a bare 500.
 */
export function apiHandler(
  { logger, requiredScope, scopes, methods, corsOrigins = [] }: ApiHandlerOptions,
  route: Route,
): LambdaHandler {
  const { accepted, challenge } = scopes ?? { accepted: [requiredScope], challenge: requiredScope };
  return async (event, context) => {
    logger.addContext(context);
    let response: APIGatewayProxyResult;
    const attributes: RequestLogAttributes = {};
    try {
      const request = decodeEvent(event);
      request.deadline = deadlineOf(context);
      authorize(request, accepted, challenge);
      if (!methods.includes(request.method)) throw methodNotAllowed(methods);
      if (!acceptsJson(request)) throw notAcceptable();
      response = await route(request, attributes);
    } catch (error) {
      response = errorResponse(toHttpError(error, logger));
    }
    logger.info('request', { method: event.httpMethod, path: event.path, status: response.statusCode, ...attributes });
    return withCors(response, event, corsOrigins);
  };
}

/** Every answer, errors included, carries the CORS headers for the request's origin. */
function withCors(
  response: APIGatewayProxyResult,
  event: APIGatewayProxyEvent,
  corsOrigins: readonly string[],
): APIGatewayProxyResult {
  if (corsOrigins.length === 0) return response;
  const origin = Object.entries(event.headers ?? {}).find(([name]) => name.toLowerCase() === 'origin')?.[1];
  return { ...response, headers: { ...response.headers, ...corsHeaders(origin, corsOrigins) } };
}

/** When the function's time runs out; unknown for callers that pass no runtime context (benchmarks). */
function deadlineOf(context: Partial<Context> | undefined): number | undefined {
  const remaining = context?.getRemainingTimeInMillis?.();
  return remaining === undefined ? undefined : Date.now() + remaining;
}

/**
 * API Gateway caches one authorizer answer per token for every route, so the authorizer cannot
 * tell routes apart: each function checks that the token holds one of its own scopes.
 */
function authorize(request: ApiRequest, accepted: readonly string[], challenge: string): void {
  const { authorizer } = request;
  if (!authorizer) throw unauthorized(request.headers.has('authorization'));
  // API Gateway caches the authorizer's answer per token for minutes: a token that expired
  // since must not keep working until the cache entry does. One without `exp` never passes.
  const expiresAt = numericDate(authorizer.exp);
  if (expiresAt === undefined || expiresAt * 1000 <= Date.now()) throw unauthorized(true);
  const held = String(authorizer.scope ?? '').split(' ');
  if (!accepted.some((scope) => held.includes(scope))) throw insufficientScope(challenge);
}

/** A JWT NumericDate from the authorizer's context, which API Gateway hands over as a string. */
function numericDate(value: unknown): number | undefined {
  if (typeof value === 'number') return Number.isFinite(value) ? value : undefined;
  return typeof value === 'string' && /^\d+(\.\d+)?$/.test(value) ? Number(value) : undefined;
}

function toHttpError(error: unknown, logger: Logger): HttpError {
  if (error instanceof HttpError) return error;
  if (error instanceof StoreUnavailableError) {
    logger.warn('store unavailable', { error: describe(error.cause) });
    return serviceUnavailable();
  }
  logger.error('unexpected error', { error: describe(error) });
  return internalServerError();
}

/** Name, message and stack only: SDK errors carry request and item data that must not be logged. */
function describe(error: unknown): Record<string, unknown> {
  if (!(error instanceof Error)) return { name: typeof error };
  return { name: error.name, message: error.message, stack: error.stack };
}
