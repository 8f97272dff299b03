import { CognitoJwtVerifier } from 'aws-jwt-verify/cognito-verifier';
import { SimpleJwksCache } from 'aws-jwt-verify/jwk';
import { JwtVerifier } from 'aws-jwt-verify/jwt-verifier';
import { REQUIRED_SCOPE_DEFAULT } from '../http/http-error.js';
import type { TokenVerifier } from './scope-authorizer.js';

/**
 * The token verifier of the authorizer, from its environment. aws-jwt-verify accepts only the
 * asymmetric algorithms (RS*, PS*, ES*, EdDSA): `none` and HS* never pass. Claim errors carry
 * the verified payload, so that the authorizer can tell a token without `exp` from one without
 * the scope.
 * - a Cognito user pool: COGNITO_USER_POOL_ID (access tokens), COGNITO_CLIENT_IDS optional;
 * - any OIDC issuer: JWT_ISSUER, JWT_JWKS_URI (default `<issuer>/.well-known/jwks.json`),
 *   JWT_AUDIENCE optional (comma-separated; the `aud` claim is not checked without it).
 * REQUIRED_SCOPE is the scope every token needs (default `clients:manage:all`).
 */
export function verifierFromEnvironment(environment: NodeJS.ProcessEnv = process.env): TokenVerifier {
  const scope = environment.REQUIRED_SCOPE || REQUIRED_SCOPE_DEFAULT;
  if (environment.COGNITO_USER_POOL_ID) {
    return CognitoJwtVerifier.create({
      userPoolId: environment.COGNITO_USER_POOL_ID,
      tokenUse: 'access',
      clientId: list(environment.COGNITO_CLIENT_IDS) ?? null,
      scope,
      includeRawJwtInErrors: true,
    });
  }
  const issuer = environment.JWT_ISSUER;
  if (!issuer) throw new Error('Set COGNITO_USER_POOL_ID, or JWT_ISSUER (with JWT_JWKS_URI and JWT_AUDIENCE)');
  return JwtVerifier.create({
    issuer,
    jwksUri: environment.JWT_JWKS_URI || `${issuer.replace(/\/$/, '')}/.well-known/jwks.json`,
    audience: list(environment.JWT_AUDIENCE) ?? null,
    scope,
    includeRawJwtInErrors: true,
  });
}

function list(value: string | undefined): string[] | undefined {
  const items = (value ?? '')
    .split(',')
    .map((item) => item.trim())
    .filter(Boolean);
  return items.length > 0 ? items : undefined;
}

/**
 * A verifier whose JWKS is given rather than downloaded: the local server's dev issuer and the
 * tests, which must work offline. A token with an unknown `kid` fails as it would in Lambda.
 */
export function verifierWithJwks({
  issuer,
  jwks,
  scope,
  audience = null,
}: {
  issuer: string;
  jwks: unknown;
  scope: string;
  audience?: string | null;
}): TokenVerifier {
  const body = new TextEncoder().encode(JSON.stringify(jwks));
  const fetcher = { fetch: async () => body.buffer as ArrayBuffer };
  return JwtVerifier.create(
    {
      issuer,
      jwksUri: `${issuer.replace(/\/$/, '')}/.well-known/jwks.json`,
      audience,
      scope,
      includeRawJwtInErrors: true,
    },
    { jwksCache: new SimpleJwksCache({ fetcher }) },
  );
}
