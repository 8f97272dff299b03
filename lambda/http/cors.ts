/**
 * CORS for browsers on other origins (Boruta's admin UI served elsewhere than this API), defined
 * once: the functions add these headers to their answers, the stack's MOCK methods (preflight,
 * 405) set them in their mapping templates, and the local gateway does what those do.
 */

/** What a browser may send beyond the CORS-safelisted headers. */
export const CORS_ALLOWED_HEADERS = ['Authorization', 'Content-Type', 'If-Match'] as const;
/** What a script may read beyond the safelisted response headers. */
export const CORS_EXPOSED_HEADERS = ['ETag', 'Location', 'WWW-Authenticate', 'Retry-After'] as const;
/** How long a browser may keep a preflight's answer. */
export const CORS_MAX_AGE_SECONDS = 600;

/**
 * The headers of an answer to a request from an allowed origin: the origin itself, never `*`,
 * since the allowed origins are a list.
 */
export function allowedOriginHeaders(origin: string): Record<string, string> {
  return {
    'Access-Control-Allow-Origin': origin,
    'Access-Control-Expose-Headers': CORS_EXPOSED_HEADERS.join(', '),
  };
}

/** The headers of a preflight's answer to an allowed origin, for a resource's methods. */
export function preflightHeaders(origin: string, methods: readonly string[]): Record<string, string> {
  return {
    'Access-Control-Allow-Origin': origin,
    'Access-Control-Allow-Methods': [...methods, 'OPTIONS'].join(', '),
    'Access-Control-Allow-Headers': CORS_ALLOWED_HEADERS.join(', '),
    'Access-Control-Max-Age': String(CORS_MAX_AGE_SECONDS),
  };
}

/**
 * The CORS headers of an answer: none when no origin is allowed (CORS off); otherwise
 * `Vary: Origin` always (the answer depends on it), plus `headersFor(origin)` when the request's
 * Origin is exactly one of the allowed ones.
 */
export function corsHeaders(
  origin: string | undefined,
  allowedOrigins: readonly string[],
  headersFor: (origin: string) => Record<string, string> = allowedOriginHeaders,
): Record<string, string> {
  if (allowedOrigins.length === 0) return {};
  return origin !== undefined && allowedOrigins.includes(origin)
    ? { ...headersFor(origin), Vary: 'Origin' }
    : { Vary: 'Origin' };
}

/**
 * The allowed origins as configured, each checked to be an origin as a browser serialises it
 * (`https://admin.example.com`, `http://localhost:4001`: scheme, host in lower case, port
 * unless the default, no path): the Origin header is compared to it byte for byte. Throws with
 * the offending value.
 */
export function parseCorsOrigins(values: readonly string[]): string[] {
  return values.map((value) => {
    let origin: string | undefined;
    try {
      origin = new URL(value).origin;
    } catch {
      origin = undefined;
    }
    if (origin !== value || !/^https?:\/\//.test(value)) {
      throw new Error(
        `a CORS origin must be an http(s) origin as browsers send it, such as https://admin.example.com (no path, no trailing slash, host in lower case): ${value}`,
      );
    }
    return value;
  });
}

/** CORS_ORIGINS: allowed origins separated by commas (or spaces). */
export function corsOriginsFromEnvironment(environment: NodeJS.ProcessEnv = process.env): string[] {
  return parseCorsOrigins((environment.CORS_ORIGINS ?? '').split(/[\s,]+/).filter(Boolean));
}
