/**
 * How API Gateway REST hands a request to the MOCK methods (each resource's 405 and its CORS
 * preflight), defined once for the stack and the local gateway.
 *
 * A MOCK integration answers the status that its request mapping template writes, and API
 * Gateway picks that template by the request's Content-Type (none counts as application/json).
 * A request of a type no template maps would pass through unchanged (WHEN_NO_MATCH) and carry no
 * status, which API Gateway answers 500. So the MOCK methods map the types a caller plausibly
 * sends, all to the same template (it never reads the body), and refuse any other type
 * (PassthroughBehavior.NEVER) with the gateway response UNSUPPORTED_MEDIA_TYPE (415).
 */

import { SettingsError } from './settings-error.js';

/** The media types the MOCK methods' request templates map. */
export const MOCK_REQUEST_CONTENT_TYPES = [
  'application/json',
  'application/merge-patch+json',
  'application/json-patch+json',
  'application/x-www-form-urlencoded',
  'multipart/form-data',
  'text/plain',
  'text/html',
  'application/xml',
  'text/xml',
  'application/octet-stream',
] as const;

/** The same request template for every mapped type. */
export function mockRequestTemplates(template: string): Record<string, string> {
  return Object.fromEntries(MOCK_REQUEST_CONTENT_TYPES.map((type) => [type, template]));
}

/**
 * Whether a MOCK method maps a request with this Content-Type: none is application/json; the
 * media type is compared without its parameters (`application/json; charset=utf-8` is
 * application/json) and in any case, as RFC 9110 compares media types.
 */
export function mockMapsContentType(contentType: string | undefined): boolean {
  if (contentType === undefined) return true;
  const mediaType = (contentType.split(';')[0] as string).trim().toLowerCase();
  return (MOCK_REQUEST_CONTENT_TYPES as readonly string[]).includes(mediaType);
}

// An RFC 6749 scope-token without `'`, which would end the template's string literal (and the
// single-quoted header values of the 403), nor `$` and `#`, which Velocity might read as code.
const TEMPLATE_SAFE_SCOPE = /^[\x21\x25\x26\x28-\x5B\x5D-\x7E]+$/;

/**
 * The request template of a resource's 405 MOCK method: 405 when the authorizer's `scope`
 * (the token's scopes, space-separated) holds one of `accepted` as a whole token, else 403.
 * The token's scopes are only compared, never evaluated; `accepted` are literals, checked here.
 */
export function methodNotAllowedRequestTemplate(accepted: readonly string[]): string {
  const unsafe = accepted.find((scope) => !TEMPLATE_SAFE_SCOPE.test(scope));
  if (unsafe !== undefined || accepted.length === 0) {
    throw new SettingsError(
      `requiredScope and scopePrefix must spell each scope as an RFC 6749 scope token, without ', $ or #: ${unsafe ?? '(none)'}`,
    );
  }
  const holds = accepted.map((scope) => `$held == '${scope}'`).join(' || ');
  return [
    '#set($granted = "$!context.authorizer.scope")',
    '#set($status = 403)',
    `#foreach($held in $granted.split(' '))#if(${holds})#set($status = 405)#end#end`,
    '{"statusCode": $status}',
  ].join('');
}
