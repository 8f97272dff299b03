import type { Logger } from '@aws-lambda-powertools/logger';
import { CreateClient } from '../app/create-client.js';
import { DeleteClient } from '../app/delete-client.js';
import { ClientKeyMaterial } from '../app/key-material.js';
import { type ClientView, toClientView } from '../domain/client-view.js';
import { LIST_BUDGET_BYTES } from '../domain/resource-limits.js';
import { canonicalUuid } from '../domain/uuid.js';
import { apiHandler, type LambdaHandler } from '../http/api-handler.js';
import { badRequest, notFound, unprocessableEntity } from '../http/http-error.js';
import { createdLocation } from '../http/location.js';
import { ifMatchPrecondition } from '../http/negotiation.js';
import { type ApiRequest, jsonBody, requestOrigin, uuidPathParameter } from '../http/request.js';
import { jsonResponse, noContent } from '../http/response.js';
import type { ClientStore } from '../store/client-store.js';
import { clientRequest, clientResponse, refusal } from './client-responses.js';

/** What every client route is built from, once per container. */
export interface RouteOptions {
  store: ClientStore;
  logger: Logger;
  requiredScope: string;
  protectedClientIds: readonly string[];
  /** Origins whose browsers may read the answers (CORS). */
  corsOrigins?: readonly string[];
}

export const MAX_PAGE_SIZE = 100;

/**
 * GET /api/clients: every client, or with `limit`, a page and the cursor of the next. Every
 * client that fits in LIST_BUDGET_BYTES: past it, the answer stops with a `next_cursor`.
 */
export function createListClientsHandler(options: RouteOptions): LambdaHandler {
  return apiHandler({ ...options, methods: ['GET'] }, async (request) => {
    const { limit, afterId } = pageRequest(request);
    const cursor = (id: string | undefined) => (id ? Buffer.from(id).toString('base64url') : null);
    if (limit !== undefined) {
      const page = await options.store.listClients({ limit, afterId });
      const data = page.clients.map(({ client }) => toClientView(client));
      return jsonResponse(200, { data, next_cursor: cursor(page.lastId) });
    }
    const data: ClientView[] = [];
    let bytes = 0;
    let after = afterId;
    do {
      const page = await options.store.listClients({ afterId: after });
      for (const { client } of page.clients) {
        const view = toClientView(client);
        bytes += JSON.stringify(JSON.stringify(view)).length;
        if (bytes > LIST_BUDGET_BYTES) return jsonResponse(200, { data, next_cursor: cursor(after) });
        data.push(view);
        after = client.id;
      }
      after = page.lastId;
    } while (after);
    return jsonResponse(200, afterId === undefined ? { data } : { data, next_cursor: null });
  });
}

function pageRequest(request: ApiRequest): { limit?: number; afterId?: string } {
  const { cursor } = request.query;
  const size = pageLimit(request);
  const afterId = cursor === undefined ? undefined : canonicalUuid(Buffer.from(cursor, 'base64url').toString());
  if (cursor !== undefined && !afterId) throw badRequest({ cursor: ['is invalid'] });
  return { limit: size, afterId };
}

/** The `limit` of a paged route, 1 to MAX_PAGE_SIZE, or 400; undefined when absent. */
export function pageLimit(request: ApiRequest): number | undefined {
  const { limit } = request.query;
  const size = limit === undefined ? undefined : Number(limit);
  if (size !== undefined && !(Number.isInteger(size) && size >= 1 && size <= MAX_PAGE_SIZE)) {
    throw badRequest({ limit: [`must be an integer from 1 to ${MAX_PAGE_SIZE}`] });
  }
  return size;
}

/** GET /api/clients/{client_id} */
export function createGetClientHandler(options: RouteOptions): LambdaHandler {
  return apiHandler({ ...options, methods: ['GET'] }, async (request) => {
    const current = await options.store.getClient(uuidPathParameter(request, 'client_id'), {
      withoutPrivateKey: true,
    });
    if (!current) throw notFound();
    return clientResponse(current);
  });
}

/** POST /api/clients: 201 with the new client and its Location. */
export function createCreateClientHandler(options: RouteOptions): LambdaHandler {
  const createClient = new CreateClient(options.store);
  return apiHandler({ ...options, methods: ['POST'] }, async (request) => {
    const outcome = await createClient.execute(
      clientRequest(jsonBody(request)),
      requestOrigin(request),
      request.deadline,
    );
    if (outcome.status === 'exists') throw unprocessableEntity({ id: ['has already been taken'] });
    if (outcome.status !== 'created') return refusal(outcome);
    return clientResponse(outcome.client, 201, { Location: createdLocation(request, outcome.client.client.id) });
  });
}

/** DELETE /api/clients/{client_id}: 204 with no body. */
export function createDeleteClientHandler(options: RouteOptions): LambdaHandler {
  const deleteClient = new DeleteClient(options.store, options);
  return apiHandler({ ...options, methods: ['DELETE'] }, async (request) => {
    const clientId = uuidPathParameter(request, 'client_id');
    const outcome = await deleteClient.execute(clientId, requestOrigin(request), ifMatchPrecondition(request));
    if (outcome !== 'deleted') return refusal({ status: outcome });
    return noContent();
  });
}

/** POST /api/clients/{client_id}/regenerate_key_pair */
export function createRegenerateKeyPairHandler(options: RouteOptions): LambdaHandler {
  const keys = new ClientKeyMaterial(options.store, options);
  return apiHandler({ ...options, methods: ['POST'] }, async (request) => {
    const clientId = uuidPathParameter(request, 'client_id');
    const outcome = await keys.regenerateKeyPair(clientId, requestOrigin(request), request.deadline);
    return outcome.status === 'updated' ? clientResponse(outcome.client) : refusal(outcome);
  });
}

/** POST /api/clients/{client_id}/regenerate_did */
export function createRegenerateDidHandler(options: RouteOptions): LambdaHandler {
  const keys = new ClientKeyMaterial(options.store, options);
  return apiHandler({ ...options, methods: ['POST'] }, async (request) => {
    const outcome = await keys.regenerateDid(uuidPathParameter(request, 'client_id'), requestOrigin(request));
    return outcome.status === 'updated' ? clientResponse(outcome.client) : refusal(outcome);
  });
}
