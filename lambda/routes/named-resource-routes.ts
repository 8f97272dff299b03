import type { Logger } from '@aws-lambda-powertools/logger';
import type { APIGatewayProxyResult } from 'aws-lambda';
import type { ApiHandlerName } from '../../lib/api-routes.js';
import type { NamedResources, ResourceOutcome } from '../app/named-resources.js';
import type { ChangeOrigin } from '../domain/history-entry.js';
import { parseResourceBody } from '../domain/named-resource.js';
import { type ApiHandlerOptions, apiHandler, type LambdaHandler, type Route } from '../http/api-handler.js';
import { badRequest } from '../http/http-error.js';
import { createdLocation } from '../http/location.js';
import { entityTag, ifMatchPrecondition } from '../http/negotiation.js';
import { type ApiRequest, jsonBody, requestOrigin, uuidPathParameter } from '../http/request.js';
import { jsonResponse, noContent } from '../http/response.js';
import { routeScopes } from '../http/route-scopes.js';
import type { ClientStore } from '../store/client-store.js';
import type { IdentityProviderStore } from '../store/identity-provider-store.js';
import type { NamedRecord, StoredResource } from '../store/named-resource-store.js';
import type { ScopeStore } from '../store/scope-store.js';
import { type Refusal, refusal } from './client-responses.js';

/** What the scope, identity provider and key pair routes are built from, once per container. */
export interface ResourceRouteOptions {
  clients: ClientStore;
  scopes: ScopeStore;
  identityProviders: IdentityProviderStore;
  logger: Logger;
  /** How this deployment spells `clients:manage:all` (REQUIRED_SCOPE). */
  requiredScope: string;
  /** The prefix of the other scopes (SCOPE_PREFIX). */
  scopePrefix: string;
  protectedClientIds: readonly string[];
  /** Origins whose browsers may read the answers (CORS). */
  corsOrigins?: readonly string[];
}

/** One named resource's routes: its body key, path parameter, view and use cases. */
export interface NamedResourceRoutes<T extends NamedRecord> {
  bodyKey: string;
  pathParameter: string;
  view(record: T): unknown;
  useCases(options: ResourceRouteOptions): NamedResources<T>;
}

/** The shared wrapper with this route's own scopes and methods. */
export function resourceHandler(
  options: Pick<ResourceRouteOptions, 'logger' | 'requiredScope' | 'scopePrefix' | 'corsOrigins'>,
  handler: ApiHandlerName,
  methods: readonly string[],
  route: Route,
): LambdaHandler {
  const handlerOptions: ApiHandlerOptions = {
    logger: options.logger,
    requiredScope: options.requiredScope,
    scopes: routeScopes(handler, options),
    methods,
    corsOrigins: options.corsOrigins,
  };
  return apiHandler(handlerOptions, route);
}

/** `{"data": view}` with the version as ETag. */
function resourceResponse<T extends NamedRecord>(
  routes: NamedResourceRoutes<T>,
  { record, version }: StoredResource<T>,
  statusCode = 200,
  headers: Record<string, string> = {},
): APIGatewayProxyResult {
  return jsonResponse(statusCode, { data: routes.view(record) }, { ETag: entityTag(version), ...headers });
}

/** The resource, or its refusal; given the create's request, 201 with its Location. */
function answer<T extends NamedRecord>(
  routes: NamedResourceRoutes<T>,
  outcome: ResourceOutcome<T>,
  created?: ApiRequest,
) {
  if (outcome.status !== 'ok') return refusal(outcome);
  if (!created) return resourceResponse(routes, outcome.resource);
  const location = createdLocation(created, outcome.resource.record.id);
  return resourceResponse(routes, outcome.resource, 201, { Location: location });
}

/** The `{"<key>": {...}}` object of a body, or 400. */
function resourceFields(routes: NamedResourceRoutes<NamedRecord>, body: unknown): Record<string, unknown> {
  const parsed = parseResourceBody(body, routes.bodyKey);
  if (!parsed.ok) throw badRequest(parsed.errors);
  return parsed.fields;
}

/** GET: every resource, sorted by name. */
export function listRoute<T extends NamedRecord>(
  routes: NamedResourceRoutes<T>,
  options: ResourceRouteOptions,
  handler: ApiHandlerName,
): LambdaHandler {
  const useCases = routes.useCases(options);
  return resourceHandler(options, handler, ['GET'], async () => {
    const resources = await useCases.list();
    return jsonResponse(200, { data: resources.map(({ record }) => routes.view(record)) });
  });
}

/** GET /{id} */
export function showRoute<T extends NamedRecord>(
  routes: NamedResourceRoutes<T>,
  options: ResourceRouteOptions,
  handler: ApiHandlerName,
): LambdaHandler {
  const useCases = routes.useCases(options);
  return resourceHandler(options, handler, ['GET'], async (request) =>
    answer(routes, await useCases.show(uuidPathParameter(request, routes.pathParameter))),
  );
}

/** POST: 201 with the new resource and its Location. */
export function createRoute<T extends NamedRecord>(
  routes: NamedResourceRoutes<T>,
  options: ResourceRouteOptions,
  handler: ApiHandlerName,
): LambdaHandler {
  const useCases = routes.useCases(options);
  return resourceHandler(options, handler, ['POST'], async (request) => {
    const fields = resourceFields(routes as NamedResourceRoutes<NamedRecord>, jsonBody(request));
    return answer(routes, await useCases.create(fields), request);
  });
}

/** PUT and PATCH /{id}: the same partial update. */
export function updateRoute<T extends NamedRecord>(
  routes: NamedResourceRoutes<T>,
  options: ResourceRouteOptions,
  handler: ApiHandlerName,
): LambdaHandler {
  const useCases = routes.useCases(options);
  return resourceHandler(options, handler, ['PUT', 'PATCH'], async (request) => {
    const body = jsonBody(request);
    const id = uuidPathParameter(request, routes.pathParameter);
    const fields = resourceFields(routes as NamedResourceRoutes<NamedRecord>, body);
    return answer(routes, await useCases.update(id, fields, requestOrigin(request), ifMatchPrecondition(request)));
  });
}

/** DELETE /{id}: 204 with no body, or the refusal of the use case. */
export function deleteRoute(
  options: ResourceRouteOptions,
  handler: ApiHandlerName,
  pathParameter: string,
  execute: (
    id: string,
    origin: ChangeOrigin,
    ifMatch?: (version: number) => boolean,
  ) => Promise<'deleted' | Exclude<Refusal['status'], 'invalid'> | Refusal>,
): LambdaHandler {
  return resourceHandler(options, handler, ['DELETE'], async (request) => {
    const id = uuidPathParameter(request, pathParameter);
    const outcome = await execute(id, requestOrigin(request), ifMatchPrecondition(request));
    if (outcome === 'deleted') return noContent();
    return refusal(typeof outcome === 'string' ? { status: outcome } : outcome);
  });
}
