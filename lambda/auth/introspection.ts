import type { Authenticate, TokenClaims } from './scope-authorizer.js';

/** How the authorizer authenticates to the introspection endpoint (RFC 6749 §2.3.1). */
export type ClientAuthMethod = 'client_secret_basic' | 'client_secret_post';
export const CLIENT_AUTH_METHODS: readonly ClientAuthMethod[] = ['client_secret_basic', 'client_secret_post'];

/**
 * How long the authorizer waits for the introspection endpoint: well below the authorizer's
 * own 5 s (AUTHORIZER_FUNCTION), which also covers a cold start and reading the secret, so that
 * a slow endpoint is a 401 and never an authorizer timeout (a 500).
 */
export const INTROSPECTION_TIMEOUT_MS = 2000;

export interface IntrospectionSettings {
  /** The endpoint (RFC 7662 §2): `https://<server>/oauth/introspect` for Boruta. */
  url: string;
  /** The client this API authenticates as, at the authorization server. */
  clientId: string;
  /** Its secret; read when first needed (Secrets Manager in Lambda). */
  clientSecret: () => Promise<string>;
  authMethod?: ClientAuthMethod;
  /**
   * The clients whose tokens this API accepts, matched against the answer's `client_id`; empty or
   * absent, any client's (the stack allows that only when told to: acceptAnyAudience).
   */
  acceptedClientIds?: readonly string[];
  /** The accepted audiences, matched against the answer's `aud` (a string or an array); empty or absent, any. */
  acceptedAudiences?: readonly string[];
  /** The endpoint refused the client's credentials (401): a rotated secret is to be read again. */
  onCredentialsRejected?: () => void;
  timeoutMs?: number;
}

/** Why an introspection gave no usable answer; never names the token. */
export class IntrospectionError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'IntrospectionError';
  }
}

/**
 * Authentication of opaque tokens by an RFC 7662 introspection endpoint: `POST token=...` as a
 * client of that server, `Accept: application/json` (Boruta answers a JWT for application/jwt).
 * Only `200` with `"active": true` authenticates; anything else throws, which the authorizer
 * answers 401 (never a pass): an inactive token, an HTTP error, a redirect, a timeout, a body that
 * is not a JSON object, a refresh token (`token_use`, as Ory Hydra marks it), a token not valid
 * yet. An active token of a client or for an audience the settings do not name is a 401 too: the
 * server introspects every client's tokens, and without this check any of them carrying an API
 * scope would pass. The claims (`scope`, `exp`, `sub`, `client_id`, `iss`) then go through the
 * same checks as a JWT's: numeric future `exp`, one of the API's scopes.
 */
export function introspectionAuthentication(settings: IntrospectionSettings): Authenticate {
  const authMethod = settings.authMethod ?? 'client_secret_basic';
  const timeoutMs = settings.timeoutMs ?? INTROSPECTION_TIMEOUT_MS;
  return async (token) => {
    const secret = await settings.clientSecret();
    const form = new URLSearchParams({ token, token_type_hint: 'access_token' });
    const headers: Record<string, string> = {
      'Content-Type': 'application/x-www-form-urlencoded',
      Accept: 'application/json',
    };
    if (authMethod === 'client_secret_basic') {
      // RFC 6749 §2.3.1: each part form-urlencoded before the Base64 of `id:secret`.
      const credentials = `${formEncode(settings.clientId)}:${formEncode(secret)}`;
      headers.Authorization = `Basic ${Buffer.from(credentials).toString('base64')}`;
    } else {
      form.set('client_id', settings.clientId);
      form.set('client_secret', secret);
    }
    let response: Response;
    try {
      response = await fetch(settings.url, {
        method: 'POST',
        headers,
        body: form.toString(),
        // The token must not follow a redirect to wherever it points.
        redirect: 'error',
        signal: AbortSignal.timeout(timeoutMs),
      });
    } catch (error) {
      const timedOut = error instanceof Error && error.name === 'TimeoutError';
      throw new IntrospectionError(
        timedOut ? `introspection timed out after ${timeoutMs} ms` : 'introspection request failed',
      );
    }
    if (response.status === 401) settings.onCredentialsRejected?.();
    if (response.status !== 200) {
      await response.body?.cancel();
      throw new IntrospectionError(`introspection answered ${response.status}`);
    }
    let answer: unknown;
    try {
      answer = JSON.parse(await response.text());
    } catch {
      throw new IntrospectionError('introspection answer is not JSON');
    }
    return acceptedClaims(activeClaims(answer), settings);
  };
}

function activeClaims(answer: unknown): TokenClaims {
  if (typeof answer !== 'object' || answer === null || Array.isArray(answer)) {
    throw new IntrospectionError('introspection answer is not a JSON object');
  }
  const claims = answer as TokenClaims;
  if (claims.active !== true) throw new IntrospectionError('token is not active');
  if (claims.token_use !== undefined && claims.token_use !== 'access_token') {
    throw new IntrospectionError('token is not an access token');
  }
  if (typeof claims.nbf === 'number' && claims.nbf * 1000 > Date.now()) {
    throw new IntrospectionError('token is not valid yet');
  }
  return claims;
}

/** Each list the settings give must name the token: its `client_id`, one of its `aud` values. */
function acceptedClaims(
  claims: TokenClaims,
  { acceptedClientIds = [], acceptedAudiences = [] }: IntrospectionSettings,
): TokenClaims {
  if (acceptedClientIds.length > 0 && !acceptedClientIds.includes(claims.client_id as string)) {
    throw new IntrospectionError('token client_id is not one of the accepted clients');
  }
  if (acceptedAudiences.length > 0) {
    const audiences = [claims.aud].flat();
    if (!audiences.some((audience) => acceptedAudiences.includes(audience as string))) {
      throw new IntrospectionError('token aud is not one of the accepted audiences');
    }
  }
  return claims;
}

function formEncode(value: string): string {
  return new URLSearchParams({ v: value }).toString().slice(2);
}

/** The client secret as kept in a secret: the plain value, or JSON with `client_secret`. */
export function clientSecretOf(secretString: string): string {
  let parsed: unknown;
  try {
    parsed = JSON.parse(secretString);
  } catch {
    return secretString;
  }
  if (typeof parsed !== 'object' || parsed === null) return secretString;
  const { client_secret: clientSecret } = parsed as Record<string, unknown>;
  if (typeof clientSecret !== 'string')
    throw new IntrospectionError('the secret holds JSON without a client_secret string');
  return clientSecret;
}
