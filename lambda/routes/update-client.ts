import { UpdateClient, type UpdateClientOptions } from '../app/update-client.js';
import { apiHandler, type LambdaHandler } from '../http/api-handler.js';
import { ifMatchPrecondition } from '../http/negotiation.js';
import { jsonBody, requestOrigin, uuidPathParameter } from '../http/request.js';
import { clientRequest, clientResponse, refusal } from './client-responses.js';
import type { RouteOptions } from './client-routes.js';

export interface UpdateClientHandlerOptions extends RouteOptions, Omit<UpdateClientOptions, 'protectedClientIds'> {}

/** PUT and PATCH /api/clients/{client_id}: the same partial update (CONTRACT §4). */
export function createUpdateClientHandler(options: UpdateClientHandlerOptions): LambdaHandler {
  const updateClient = new UpdateClient(options.store, options);
  return apiHandler({ ...options, methods: ['PUT', 'PATCH'] }, async (request, log) => {
    const body = jsonBody(request);
    const clientId = uuidPathParameter(request, 'client_id');
    const outcome = await updateClient.execute(
      clientId,
      clientRequest(body),
      requestOrigin(request),
      ifMatchPrecondition(request),
    );
    // Races lost to concurrent writers, for Logs Insights (and the benchmark): retries per write.
    if ('retries' in outcome) log.retries = outcome.retries;
    return outcome.status === 'updated' || outcome.status === 'unchanged'
      ? clientResponse(outcome.client)
      : refusal(outcome);
  });
}
