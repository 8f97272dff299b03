import { CognitoJwtVerifier } from 'aws-jwt-verify/cognito-verifier';
import { SimpleFetcher } from 'aws-jwt-verify/https';
import { SimpleJwksCache } from 'aws-jwt-verify/jwk';
import { JwtVerifier } from 'aws-jwt-verify/jwt-verifier';
import { commaList } from './environment-list.js';
import { type DocumentFetcher, discoveringVerifier } from './oidc-discovery.js';
import type { TokenVerifier } from './scope-authorizer.js';

/**
 * The token verifier of the authorizer, from its environment. aws-jwt-verify 5 verifies RS256,
 * RS384, RS512, ES256, ES384, ES512 and EdDSA signatures and nothing else: PS*, HS* and `none`
 * never pass. The scopes are the authorizer's to check (any of the API's), not the verifier's.
 * - a Cognito user pool: COGNITO_USER_POOL_ID (access tokens), COGNITO_CLIENT_IDS optional;
 * - any OIDC issuer: JWT_ISSUER; JWT_JWKS_URI, or else the `jwks_uri` of the issuer's discovery
 *   document, read at the first request; JWT_AUDIENCE (comma-separated; empty, `aud` is not
 *   checked, which the stack allows only when told to).
 * The fetcher (https only) gets the discovery document and the keys.
 */
export function verifierFromEnvironment(
  environment: NodeJS.ProcessEnv = process.env,
  fetcher: DocumentFetcher = new SimpleFetcher(),
): TokenVerifier {
  if (environment.COGNITO_USER_POOL_ID) {
    return CognitoJwtVerifier.create({
      userPoolId: environment.COGNITO_USER_POOL_ID,
      tokenUse: 'access',
      clientId: commaList(environment.COGNITO_CLIENT_IDS) ?? null,
    });
  }
  const issuer = environment.JWT_ISSUER;
  if (!issuer) throw new Error('Set COGNITO_USER_POOL_ID, or JWT_ISSUER (with JWT_AUDIENCE)');
  const verifierFor = (jwksUri: string): TokenVerifier =>
    JwtVerifier.create(
      { issuer, jwksUri, audience: commaList(environment.JWT_AUDIENCE) ?? null },
      { jwksCache: new SimpleJwksCache({ fetcher }) },
    );
  return environment.JWT_JWKS_URI
    ? verifierFor(environment.JWT_JWKS_URI)
    : discoveringVerifier(issuer, fetcher, verifierFor);
}

/**
 * A verifier whose JWKS is given rather than downloaded: the local server's dev issuer and the
 * tests, which must work offline. A token with an unknown `kid` fails as it would in Lambda.
 */
export function verifierWithJwks({
  issuer,
  jwks,
  audience = null,
}: {
  issuer: string;
  jwks: unknown;
  audience?: string | null;
}): TokenVerifier {
  const body = new TextEncoder().encode(JSON.stringify(jwks));
  const fetcher = { fetch: async () => body.buffer as ArrayBuffer };
  return JwtVerifier.create(
    {
      issuer,
      jwksUri: `${issuer.replace(/\/$/, '')}/.well-known/jwks.json`,
      audience,
    },
    { jwksCache: new SimpleJwksCache({ fetcher }) },
  );
}
