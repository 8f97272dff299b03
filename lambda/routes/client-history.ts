import { decodeHistoryCursor, historyPage } from '../domain/history-page.js';
import { apiHandler, type LambdaHandler } from '../http/api-handler.js';
import { badRequest, notFound } from '../http/http-error.js';
import { type ApiRequest, uuidPathParameter } from '../http/request.js';
import { jsonResponse } from '../http/response.js';
import { pageLimit, type RouteOptions } from './client-routes.js';

/**
 * GET /api/clients/{client_id}/history: the client's history entries, newest first, paged by
 * `limit` and `cursor` as the list is. A deleted client's history is served until its retention
 * is over; an id that never had a client (or whose retention is over) is a 404. The read never
 * asks for the client's fields, so no secret is read to serve it.
 */
export function createGetClientHistoryHandler(options: RouteOptions): LambdaHandler {
  return apiHandler({ ...options, methods: ['GET'] }, async (request) => {
    const clientId = uuidPathParameter(request, 'client_id');
    const page = historyPageRequest(request);
    const entries = await options.store.getHistory(clientId);
    if (!entries) throw notFound();
    const { entries: data, nextCursor } = historyPage(entries, page);
    return jsonResponse(200, { data, next_cursor: nextCursor });
  });
}

function historyPageRequest(request: ApiRequest): { limit?: number; before?: number } {
  const limit = pageLimit(request);
  const { cursor } = request.query;
  if (cursor === undefined) return { limit };
  const before = decodeHistoryCursor(cursor);
  if (before === undefined) throw badRequest({ cursor: ['is invalid'] });
  return { limit, before };
}
