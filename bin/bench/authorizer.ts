import { createPublicKey, generateKeyPairSync, randomUUID, sign, verify } from 'node:crypto';
import { JwtVerifier } from 'aws-jwt-verify/jwt-verifier';
import { createScopeAuthorizer, jwtAuthentication } from '../../lambda/auth/scope-authorizer.js';
import { verifierWithJwks } from '../../lambda/auth/verifier.js';
import { interleave, median, ratioOf, type Spread } from './stats.js';

const ISSUER = 'https://issuer.example.com/';
const SCOPE = 'clients:manage:all';
const METHOD_ARN = 'arn:aws:execute-api:eu-west-1:123456789012:api/v1/PATCH/api/clients/x';
const ROUND_MS = 250;

export interface AuthorizerFigures {
  /** Verifications per second, the median of the rounds. */
  authorizerPerSecond: number;
  /** aws-jwt-verify's own verifySync, same tokens, keys, issuer and scope check. */
  libraryPerSecond: number;
  /** node:crypto checking the same RS256 signatures and nothing else (reference). */
  rawCryptoPerSecond: number;
  overLibrary: Spread;
  overRawCrypto: Spread;
}

/**
 * The authorizer with its keys cached, beside aws-jwt-verify verifying the same tokens with
 * nothing around it, and raw node:crypto, in alternating rounds of a quarter second.
 */
export async function measureAuthorizer(rounds: number): Promise<AuthorizerFigures> {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const kid = randomUUID();
  const encode = (part: object) => Buffer.from(JSON.stringify(part)).toString('base64url');
  const now = Math.floor(Date.now() / 1000);
  const tokens = Array.from({ length: 200 }, (_, index) => {
    const input = `${encode({ alg: 'RS256', kid, typ: 'JWT' })}.${encode({ iss: ISSUER, sub: `user-${index}`, scope: SCOPE, iat: now, exp: now + 3600 })}`;
    return `${input}.${sign('RSA-SHA256', Buffer.from(input), privateKey).toString('base64url')}`;
  });
  const jwks = { keys: [{ ...createPublicKey(privateKey).export({ format: 'jwk' }), kid, alg: 'RS256', use: 'sig' }] };
  const authorize = createScopeAuthorizer({
    authenticate: jwtAuthentication(verifierWithJwks({ issuer: ISSUER, jwks })),
    acceptedScopes: [SCOPE],
    logger: { info: () => {} },
  });
  // The authorizer's first verification of a kid loads the keys; later ones are synchronous.
  await authorize({ type: 'TOKEN', authorizationToken: `Bearer ${tokens[0]}`, methodArn: METHOD_ARN });
  const library = JwtVerifier.create({ issuer: ISSUER, audience: null, scope: SCOPE, jwksUri: `${ISSUER}jwks.json` });
  library.cacheJwks(jwks as Parameters<typeof library.cacheJwks>[0]);

  // Each line runs in the same loop: awaited one at a time, as API Gateway calls the authorizer.
  const rate = (verifyOne: (token: string) => unknown) => async () => {
    let count = 0;
    const started = process.hrtime.bigint();
    const budget = BigInt(ROUND_MS * 1e6);
    while (process.hrtime.bigint() - started < budget) {
      await verifyOne(tokens[count % tokens.length] as string);
      count += 1;
    }
    return count / (Number(process.hrtime.bigint() - started) / 1e9);
  };
  const results = await interleave(
    {
      authorizer: rate((token) =>
        authorize({ type: 'TOKEN', authorizationToken: `Bearer ${token}`, methodArn: METHOD_ARN }),
      ),
      library: rate((token) => library.verifySync(token)),
      rawCrypto: rate((token) => {
        const [header, payload, signature] = token.split('.') as [string, string, string];
        if (
          !verify('RSA-SHA256', Buffer.from(`${header}.${payload}`), publicKey, Buffer.from(signature, 'base64url'))
        ) {
          throw new Error('raw verification failed');
        }
      }),
    },
    rounds,
  );
  return {
    authorizerPerSecond: Math.round(median(results.authorizer)),
    libraryPerSecond: Math.round(median(results.library)),
    rawCryptoPerSecond: Math.round(median(results.rawCrypto)),
    overLibrary: ratioOf(results.authorizer, results.library),
    overRawCrypto: ratioOf(results.authorizer, results.rawCrypto),
  };
}
