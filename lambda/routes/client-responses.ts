import type { APIGatewayProxyResult } from 'aws-lambda';
import type { VersionedClient } from '../domain/client.js';
import { toClientView } from '../domain/client-view.js';
import type { FieldErrors } from '../domain/field-errors.js';
import {
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
