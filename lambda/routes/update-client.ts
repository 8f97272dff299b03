import type { Logger } from '@aws-lambda-powertools/logger';
import { UpdateClient, type UpdateClientOptions, type UpdateOutcome } from '../app/update-client.js';
import { toClientView } from '../domain/client-view.js';
import { parseUpdateRequest } from '../domain/update-request.js';
import { apiHandler, type LambdaHandler } from '../http/api-handler.js';
import {
  badRequest,
  conflict,
  notFound,
  preconditionFailed,
  unprocessableEntity,
  writeProtected,
} from '../http/http-error.js';
import { entityTag, ifMatchPrecondition } from '../http/negotiation.js';
import { jsonBody, uuidPathParameter } from '../http/request.js';
import { jsonResponse } from '../http/response.js';
import type { ClientStore } from '../store/client-store.js';

export interface UpdateClientHandlerOptions extends UpdateClientOptions {
  store: ClientStore;
  logger: Logger;
  requiredScope: string;
}

/** PUT and PATCH /api/clients/{client_id}: the same partial update (CONTRACT §4). */
export function createUpdateClientHandler(options: UpdateClientHandlerOptions): LambdaHandler {
  const updateClient = new UpdateClient(options.store, options);
  return apiHandler({ ...options, methods: ['PUT', 'PATCH'] }, async (request) => {
    const body = jsonBody(request);
    const clientId = uuidPathParameter(request, 'client_id');
    const parsed = parseUpdateRequest(body);
    if (!parsed.ok) throw badRequest(parsed.errors);
    const outcome = await updateClient.execute(clientId, parsed.request, ifMatchPrecondition(request));
    return respond(outcome);
  });
}

function respond(outcome: UpdateOutcome) {
  switch (outcome.status) {
    case 'updated':
      return jsonResponse(
        200,
        { data: toClientView(outcome.client.client) },
        { ETag: entityTag(outcome.client.version) },
      );
    case 'not-found':
      throw notFound();
    case 'write-protected':
      throw writeProtected();
    case 'invalid':
      throw unprocessableEntity(outcome.errors);
    case 'precondition-failed':
      throw preconditionFailed();
    case 'conflict':
      throw conflict();
  }
}
