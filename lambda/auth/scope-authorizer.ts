import { JwksNotAvailableInCacheError, JwtInvalidScopeError, KidNotFoundInJwksError } from 'aws-jwt-verify/error';
import type { JwtPayload } from 'aws-jwt-verify/jwt-model';
import type { APIGatewayAuthorizerResult, APIGatewayTokenAuthorizerEvent } from 'aws-lambda';
import { IssuerDiscoveryError } from './oidc-discovery.js';

/** What the authorizer needs of aws-jwt-verify's verifiers (JwtVerifier, CognitoJwtVerifier). */
export interface TokenVerifier {
  verify(token: string): Promise<JwtPayload>;
  verifySync(token: string): JwtPayload;
}

/** Console or a Powertools Logger: the authorizer logs why it rejects a token, never the token. */
export interface AuthorizerLog {
  info(message: string, attributes: Record<string, unknown>): void;
}

/** API Gateway answers 401 (gateway response UNAUTHORIZED) when a token authorizer throws this. */
const UNAUTHORIZED = 'Unauthorized';
const BEARER = 'bearer ';
const NO_EXPIRY = 'Token has no numeric exp claim';

/**
 * The scope authorizer of the REST API (a TOKEN authorizer on the Authorization header):
 * - no token, a malformed header, a token that fails verification or has no numeric `exp` → 401
 *   (aws-jwt-verify checks `exp` only when a token has one: without, it would never expire);
 * - an authentic token without the required scope (the verifier's `scope` check) → a Deny
 *   policy, which API Gateway answers 403;
 * - otherwise an Allow policy, with `sub`, `scope`, `exp`, `client_id` (the token's `client_id`,
 *   else `azp`, else empty) and `iss` for the functions, which record who acted.
 *
 * API Gateway caches the result per token for every route, so both policies cover the whole
 * API (`<api>/<stage>/*`) rather than the method that happened to be called first.
 */
export function createScopeAuthorizer({ verifier, logger }: { verifier: TokenVerifier; logger: AuthorizerLog }) {
  return async (event: APIGatewayTokenAuthorizerEvent): Promise<APIGatewayAuthorizerResult> => {
    const token = bearerToken(event.authorizationToken ?? '');
    if (!token) {
      logger.info('token rejected', { reason: 'no bearer token' });
      throw new Error(UNAUTHORIZED);
    }
    try {
      const payload = await verifyToken(verifier, token);
      if (!expires(payload)) throw new Error(NO_EXPIRY);
      return policy('Allow', event.methodArn, payload);
    } catch (error) {
      // The issuer could not tell where its keys are: API Gateway answers an authorizer's error
      // with a 500, where a 401 would blame the token.
      if (error instanceof IssuerDiscoveryError) {
        logger.info('issuer discovery failed', { reason: describe(error) });
        throw error;
      }
      // The verifier checks the scope before we see the payload: a token without the scope that
      // never expires is still a 401, as authentication comes before authorization.
      const scopeOnly = error instanceof JwtInvalidScopeError && expires(error.rawJwt?.payload);
      const reason = error instanceof JwtInvalidScopeError && !scopeOnly ? NO_EXPIRY : describe(error);
      logger.info('token rejected', { reason });
      if (scopeOnly) return policy('Deny', event.methodArn);
      throw new Error(UNAUTHORIZED);
    }
  };
}

/** The token of a `Bearer` header (scheme in any case); the verifier judges the token itself. */
function bearerToken(header: string): string | undefined {
  if (header.slice(0, BEARER.length).toLowerCase() !== BEARER) return undefined;
  const token = header.slice(BEARER.length).trim();
  return token.length > 0 && !token.includes(' ') ? token : undefined;
}

/**
 * Synchronously against the cached keys (most requests: no promise chain in the library), else
 * asynchronously, which downloads the JWKS on a container's first request or for a new `kid`.
 */
function verifyToken(verifier: TokenVerifier, token: string): JwtPayload | Promise<JwtPayload> {
  try {
    return verifier.verifySync(token);
  } catch (error) {
    if (error instanceof JwksNotAvailableInCacheError || error instanceof KidNotFoundInJwksError) {
      return verifier.verify(token);
    }
    throw error;
  }
}

function expires(payload: JwtPayload | undefined): payload is JwtPayload & { exp: number } {
  return typeof payload?.exp === 'number';
}

const describe = (error: unknown) => (error instanceof Error ? error.message : 'unknown');
const claim = (value: unknown) => (typeof value === 'string' ? value : undefined);

function policy(effect: 'Allow' | 'Deny', methodArn: string, payload?: JwtPayload): APIGatewayAuthorizerResult {
  const principal = typeof payload?.sub === 'string' ? payload.sub : 'anonymous';
  return {
    principalId: principal,
    policyDocument: {
      Version: '2012-10-17',
      Statement: [{ Action: 'execute-api:Invoke', Effect: effect, Resource: wholeApi(methodArn) }],
    },
    ...(payload && {
      context: {
        sub: principal,
        scope: claim(payload.scope) ?? '',
        exp: payload.exp as number,
        client_id: claim(payload.client_id) ?? claim(payload.azp) ?? '',
        iss: claim(payload.iss) ?? '',
      },
    }),
  };
}

/** `arn:aws:execute-api:<region>:<account>:<api>/<stage>/<method>/<path>` → `.../<api>/<stage>/*`. */
function wholeApi(methodArn: string): string {
  const endOfStage = methodArn.indexOf('/', methodArn.indexOf('/') + 1);
  return `${endOfStage === -1 ? methodArn : methodArn.slice(0, endOfStage)}/*`;
}
