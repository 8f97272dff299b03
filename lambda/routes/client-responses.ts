import type { APIGatewayProxyResult } from 'aws-lambda';
import type { VersionedClient } from '../domain/client.js';
import { toClientView } from '../domain/client-view.js';
import type { FieldErrors } from '../domain/field-errors.js';
import { parseUpdateRequest, type UpdateRequest } from '../domain/update-request.js';
import {
  badRequest,
  conflict,
  notFound,
  preconditionFailed,
  serviceUnavailable,
  unprocessableEntity,
  writeProtected,
} from '../http/http-error.js';
import { entityTag } from '../http/negotiation.js';
import { jsonResponse } from '../http/response.js';

/** `{"data": client}` with the client's version as ETag. */
export function clientResponse(
  { client, version }: VersionedClient,
  statusCode = 200,
  headers: Record<string, string> = {},
): APIGatewayProxyResult {
  return jsonResponse(statusCode, { data: toClientView(client) }, { ETag: entityTag(version), ...headers });
}

/** The refusals the client routes share, as their HTTP errors. */
export type Refusal =
  | { status: 'not-found' }
  | { status: 'write-protected' }
  | { status: 'invalid'; errors: FieldErrors }
  | { status: 'precondition-failed' }
  | { status: 'conflict' }
  | { status: 'out-of-time' };

export function refusal(outcome: Refusal): never {
  switch (outcome.status) {
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
    case 'out-of-time':
      throw serviceUnavailable();
  }
}

/** The client body of an update or a create, or its 400 (shape) or 422 (a list over its cap). */
export function clientRequest(body: unknown): UpdateRequest {
  const parsed = parseUpdateRequest(body);
  if (parsed.ok) return parsed.request;
  throw parsed.status === 400 ? badRequest(parsed.errors) : unprocessableEntity(parsed.errors);
}
