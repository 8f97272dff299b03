import { JwksNotAvailableInCacheError, KidNotFoundInJwksError } from 'aws-jwt-verify/error';
import type { JwtPayload } from 'aws-jwt-verify/jwt-model';
import type { APIGatewayAuthorizerResult, APIGatewayTokenAuthorizerEvent } from 'aws-lambda';
import { IssuerDiscoveryError } from './oidc-discovery.js';

/** What the authorizer needs of aws-jwt-verify's verifiers (JwtVerifier, CognitoJwtVerifier). */
export interface TokenVerifier {
  verify(token: string): Promise<JwtPayload>;
  verifySync(token: string): JwtPayload;
}

/** The claims of an authentic token: a JWT's payload, or an introspection answer (RFC 7662). */
export type TokenClaims = Readonly<Record<string, unknown>>;

/**
 * Proves a token authentic and gives its claims, or throws (the authorizer answers 401): a JWT
 * verifier, or an introspection endpoint for opaque tokens.
 */
export type Authenticate = (token: string) => TokenClaims | Promise<TokenClaims>;

/** Console or a Powertools Logger: the authorizer logs why it rejects a token, never the token. */
export interface AuthorizerLog {
  info(message: string, attributes: Record<string, unknown>): void;
}

export interface ScopeAuthorizerOptions {
  authenticate: Authenticate;
  /** The API's scopes as deployed (apiScopes): a token must hold one of them. */
  acceptedScopes: readonly string[];
  logger: AuthorizerLog;
}

/** API Gateway answers 401 (gateway response UNAUTHORIZED) when a token authorizer throws this. */
const UNAUTHORIZED = 'Unauthorized';
const BEARER = 'bearer ';

/**
 * The scope authorizer of the REST API (a TOKEN authorizer on the Authorization header):
 * - no token, a malformed header, a token that fails authentication, has no numeric `exp` (a JWT
 *   without one would never expire), has expired or carries a `scope` that is not a string → 401;
 * - an authentic token that holds none of the API's scopes → a Deny policy, which API Gateway
 *   answers 403;
 * - otherwise an Allow policy, with `sub`, `scope`, `exp`, `client_id` (the token's `client_id`,
 *   else `azp`, else empty) and `iss` for the functions, which check their own route's scopes
 *   and record who acted.
 *
 * API Gateway caches the result per token for every route, so both policies cover the whole
 * API (`<api>/<stage>/*`) rather than the method that happened to be called first, and the
 * authorizer cannot decide per route: a token with any of the API's scopes passes here.
 */
export function createScopeAuthorizer({ authenticate, acceptedScopes, logger }: ScopeAuthorizerOptions) {
  return async (event: APIGatewayTokenAuthorizerEvent): Promise<APIGatewayAuthorizerResult> => {
    const token = bearerToken(event.authorizationToken ?? '');
    if (!token) return reject(logger, 'no bearer token');
    let claims: TokenClaims;
    try {
      claims = await authenticate(token);
    } catch (error) {
      // The issuer could not tell where its keys are: API Gateway answers an authorizer's error
      // with a 500, where a 401 would blame the token.
      if (error instanceof IssuerDiscoveryError) {
        logger.info('issuer discovery failed', { reason: describe(error) });
        throw error;
      }
      return reject(logger, describe(error));
    }
    // Authentication before authorization: a token that would never expire is a 401, scope or not.
    if (typeof claims.exp !== 'number' || !Number.isFinite(claims.exp)) {
      return reject(logger, 'Token has no numeric exp claim');
    }
    if (claims.exp * 1000 <= Date.now()) return reject(logger, 'Token has expired');
    if (claims.scope !== undefined && typeof claims.scope !== 'string') {
      return reject(logger, 'Token scope claim is not a string');
    }
    const held = (claims.scope ?? '').split(' ');
    if (!acceptedScopes.some((scope) => held.includes(scope))) {
      logger.info('token denied', { reason: 'the token holds none of the API’s scopes' });
      return policy('Deny', event.methodArn);
    }
    return policy('Allow', event.methodArn, claims as TokenClaims & { exp: number });
  };
}

function reject(logger: AuthorizerLog, reason: string): never {
  logger.info('token rejected', { reason });
  throw new Error(UNAUTHORIZED);
}

/**
 * A JWT verifier as the authorizer's authentication: synchronously against the cached keys (most
 * requests: no promise chain in the library), else asynchronously, which downloads the JWKS on a
 * container's first request or for a new `kid`.
 */
export function jwtAuthentication(verifier: TokenVerifier): Authenticate {
  return (token) => {
    try {
      return verifier.verifySync(token);
    } catch (error) {
      if (error instanceof JwksNotAvailableInCacheError || error instanceof KidNotFoundInJwksError) {
        return verifier.verify(token);
      }
      throw error;
    }
  };
}

/** The token of a `Bearer` header (scheme in any case); authentication judges the token itself. */
function bearerToken(header: string): string | undefined {
  if (header.slice(0, BEARER.length).toLowerCase() !== BEARER) return undefined;
  const token = header.slice(BEARER.length).trim();
  return token.length > 0 && !token.includes(' ') ? token : undefined;
}

const describe = (error: unknown) => (error instanceof Error ? error.message : 'unknown');
const claim = (value: unknown) => (typeof value === 'string' ? value : undefined);

function policy(
  effect: 'Allow' | 'Deny',
  methodArn: string,
  claims?: TokenClaims & { exp: number },
): APIGatewayAuthorizerResult {
  const principal = claim(claims?.sub) ?? 'anonymous';
  return {
    principalId: principal,
    policyDocument: {
      Version: '2012-10-17',
      Statement: [{ Action: 'execute-api:Invoke', Effect: effect, Resource: wholeApi(methodArn) }],
    },
    ...(claims && {
      context: {
        sub: principal,
        scope: claim(claims.scope) ?? '',
        exp: claims.exp,
        client_id: claim(claims.client_id) ?? claim(claims.azp) ?? '',
        iss: claim(claims.iss) ?? '',
      },
    }),
  };
}

/** `arn:aws:execute-api:<region>:<account>:<api>/<stage>/<method>/<path>` → `.../<api>/<stage>/*`. */
function wholeApi(methodArn: string): string {
  const endOfStage = methodArn.indexOf('/', methodArn.indexOf('/') + 1);
  return `${endOfStage === -1 ? methodArn : methodArn.slice(0, endOfStage)}/*`;
}
