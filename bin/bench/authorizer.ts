import { createPublicKey, generateKeyPairSync, randomUUID, sign, verify } from 'node:crypto';
import { createScopeAuthorizer } from '../../lambda/auth/scope-authorizer.js';
import { verifierWithJwks } from '../../lambda/auth/verifier.js';
import { round } from './stats.js';

const ISSUER = 'https://issuer.example.com/';
const METHOD_ARN = 'arn:aws:execute-api:eu-west-1:123456789012:api/v1/PATCH/api/clients/x';

/**
 * Verifications per second of the authorizer with its keys cached, beside node:crypto verifying
 * the same RS256 signatures and nothing else, each for about `seconds`.
 */
export async function measureAuthorizer(seconds: number) {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const kid = randomUUID();
  const encode = (part: object) => Buffer.from(JSON.stringify(part)).toString('base64url');
  const now = Math.floor(Date.now() / 1000);
  const tokens = Array.from({ length: 200 }, (_, index) => {
    const input = `${encode({ alg: 'RS256', kid, typ: 'JWT' })}.${encode({ iss: ISSUER, sub: `user-${index}`, scope: 'clients:manage:all', iat: now, exp: now + 3600 })}`;
    return `${input}.${sign('RSA-SHA256', Buffer.from(input), privateKey).toString('base64url')}`;
  });
  const jwks = { keys: [{ ...createPublicKey(privateKey).export({ format: 'jwk' }), kid, alg: 'RS256', use: 'sig' }] };
  const authorize = createScopeAuthorizer({
    verifier: verifierWithJwks({ issuer: ISSUER, jwks, scope: 'clients:manage:all' }),
    logger: { info: () => {} },
  });

  const rate = async (verifyOne: (token: string) => Promise<unknown> | unknown) => {
    for (const token of tokens) await verifyOne(token);
    let count = 0;
    const started = process.hrtime.bigint();
    const budget = BigInt(seconds * 1e9);
    while (process.hrtime.bigint() - started < budget) {
      await verifyOne(tokens[count % tokens.length] as string);
      count += 1;
    }
    return count / (Number(process.hrtime.bigint() - started) / 1e9);
  };
  const authorizerRate = await rate((token) =>
    authorize({ type: 'TOKEN', authorizationToken: `Bearer ${token}`, methodArn: METHOD_ARN }),
  );
  const rawRate = await rate((token) => {
    const [header, payload, signature] = token.split('.') as [string, string, string];
    if (!verify('RSA-SHA256', Buffer.from(`${header}.${payload}`), publicKey, Buffer.from(signature, 'base64url'))) {
      throw new Error('raw verification failed');
    }
  });
  return {
    authorizerPerSecond: Math.round(authorizerRate),
    rawCryptoPerSecond: Math.round(rawRate),
    ratio: round(authorizerRate / rawRate, 2),
  };
}
