import { createHmac, generateKeyPairSync, type KeyObject, sign } from 'node:crypto';
import type { APIGatewayTokenAuthorizerEvent } from 'aws-lambda';
import { jwtAuthentication } from '../../lambda/auth/scope-authorizer.js';
import { verifierWithJwks } from '../../lambda/auth/verifier.js';

export const ISSUER = 'https://issuer.example.com/';
export const AUDIENCE = 'clients-api';

export interface SigningKey {
  kid: string;
  privateKey: KeyObject;
  publicKey: KeyObject;
}

export function rsaSigningKey(kid: string): SigningKey {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  return { kid, privateKey, publicKey };
}

export function jwksOf(...keys: SigningKey[]) {
  return {
    keys: keys.map(({ kid, publicKey }) => ({ ...publicKey.export({ format: 'jwk' }), kid, alg: 'RS256', use: 'sig' })),
  };
}

const base64url = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

/** A JWT signed as `alg` says: RS256 with the key, HS256 with `hmacSecret`, or unsigned (`none`). */
export function signJwt(
  payload: Record<string, unknown>,
  key: SigningKey,
  { alg = 'RS256', kid = key.kid, hmacSecret }: { alg?: string; kid?: string; hmacSecret?: string | Buffer } = {},
): string {
  const signingInput = `${base64url({ alg, kid, typ: 'JWT' })}.${base64url(payload)}`;
  if (alg === 'none') return `${signingInput}.`;
  const signature =
    alg === 'HS256'
      ? createHmac('sha256', hmacSecret ?? '')
          .update(signingInput)
          .digest()
      : sign('RSA-SHA256', Buffer.from(signingInput), key.privateKey);
  return `${signingInput}.${signature.toString('base64url')}`;
}

export const nowInSeconds = () => Math.floor(Date.now() / 1000);

/** Claims of a token the API accepts, valid for an hour. */
export function adminClaims(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    iss: ISSUER,
    sub: 'admin',
    aud: AUDIENCE,
    scope: 'clients:manage:all',
    iat: nowInSeconds(),
    exp: nowInSeconds() + 3600,
    ...overrides,
  };
}

/** Authentication by a verifier for ISSUER that never goes online for its keys. */
export function offlineJwtAuthentication(jwks: unknown, options: { audience?: string | null } = {}) {
  return jwtAuthentication(verifierWithJwks({ issuer: ISSUER, jwks, audience: options.audience ?? null }));
}

/** What API Gateway hands a TOKEN authorizer for a bearer token, on `GET /api/clients` unless told otherwise. */
export function bearerEvent(
  token: string,
  methodArn = 'arn:aws:execute-api:eu-west-1:123456789012:abc123/v1/GET/api/clients',
): APIGatewayTokenAuthorizerEvent {
  return { type: 'TOKEN', authorizationToken: `Bearer ${token}`, methodArn };
}
