import type { FieldErrors } from '../domain/field-errors.js';

/**
 * Every error answer of the API (CONTRACT §2): `code` is the upper-snake reason phrase.
 * Errors below 500 say what went wrong; 5xx bodies are fixed texts that expose nothing.
 */
export class HttpError extends Error {
  constructor(
    readonly statusCode: number,
    readonly code: string,
    message: string,
    readonly errors?: FieldErrors,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
    this.name = 'HttpError';
  }

  toBody(): { code: string; message: string; errors?: FieldErrors } {
    return this.errors
      ? { code: this.code, message: this.message, errors: this.errors }
      : { code: this.code, message: this.message };
  }
}

export const REQUIRED_SCOPE_DEFAULT = 'clients:manage:all';
export const MAX_BODY_BYTES = 100 * 1024;
export const RETRY_AFTER_SECONDS = 1;

export const unauthorized = (tokenPresented: boolean) =>
  new HttpError(
    401,
    'UNAUTHORIZED',
    'You are unauthorized to access this resource.',
    { resource: ['you are unauthorized to access this resource.'] },
    { 'WWW-Authenticate': tokenPresented ? 'Bearer error="invalid_token"' : 'Bearer' },
  );

export const insufficientScope = (scope: string) =>
  new HttpError(
    403,
    'FORBIDDEN',
    'You are forbidden to access this resource.',
    { resource: ['you are forbidden to access this resource.'] },
    { 'WWW-Authenticate': `Bearer error="insufficient_scope", scope="${scope}"` },
  );

export const writeProtected = () =>
  new HttpError(403, 'FORBIDDEN', 'The resource is write protected.', { resource: ['is write protected.'] });

export const badRequest = (errors: FieldErrors) =>
  new HttpError(400, 'BAD_REQUEST', 'The request is malformed.', errors);

export const notFound = () =>
  new HttpError(404, 'NOT_FOUND', 'The requested resource could not be found.', {
    resource: ['the requested resource could not be found.'],
  });

export const methodNotAllowed = (allowed: readonly string[]) =>
  new HttpError(405, 'METHOD_NOT_ALLOWED', 'The method is not allowed for this resource.', undefined, {
    Allow: allowed.join(', '),
  });

export const notAcceptable = () =>
  new HttpError(406, 'NOT_ACCEPTABLE', 'This resource is only available as application/json.');

export const conflict = () =>
  new HttpError(409, 'CONFLICT', 'The resource kept changing under concurrent requests; retry the request.');

export const preconditionFailed = () =>
  new HttpError(412, 'PRECONDITION_FAILED', 'The resource does not match the version given in If-Match.');

export const payloadTooLarge = () =>
  new HttpError(413, 'PAYLOAD_TOO_LARGE', `The request body is larger than ${MAX_BODY_BYTES} bytes.`);

export const unsupportedMediaType = () =>
  new HttpError(415, 'UNSUPPORTED_MEDIA_TYPE', 'The request body must be application/json in UTF-8.');

export const unprocessableEntity = (errors: FieldErrors) =>
  new HttpError(422, 'UNPROCESSABLE_ENTITY', 'Your request could not be processed.', errors);

export const serviceUnavailable = () =>
  new HttpError(503, 'SERVICE_UNAVAILABLE', 'The service is temporarily unavailable. Retry later.', undefined, {
    'Retry-After': String(RETRY_AFTER_SECONDS),
  });

export const internalServerError = () => new HttpError(500, 'INTERNAL_SERVER_ERROR', 'An internal error occurred.');
