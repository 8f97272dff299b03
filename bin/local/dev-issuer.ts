import { createPrivateKey, createPublicKey, generateKeyPairSync, type KeyObject, randomUUID, sign } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { PROJECT_ROOT } from '../../lib/function-bundling.js';

/** The issuer of the local server's tokens; nothing outside this machine trusts it. */
export const DEV_ISSUER = 'http://localhost/dev-issuer';
/** Shared by `npm start` and `npm run token`; git-ignored. */
export const DEV_ISSUER_KEY_FILE = join(PROJECT_ROOT, '.local', 'dev-issuer-key.json');

export interface DevIssuer {
  kid: string;
  privateKey: KeyObject;
  jwks: { keys: Record<string, unknown>[] };
}

/**
 * The dev issuer's signing key, created by whichever command needs it first. The exclusive
 * create (`wx`) makes two commands started together agree on one key.
 */
export async function loadDevIssuer(keyFile = DEV_ISSUER_KEY_FILE): Promise<DevIssuer> {
  let stored: { kid: string; jwk: Record<string, unknown> };
  try {
    stored = JSON.parse(await readFile(keyFile, 'utf8'));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    stored = await createKeyFile(keyFile);
  }
  const privateKey = createPrivateKey({ key: stored.jwk as never, format: 'jwk' });
  const publicJwk = createPublicKey(privateKey).export({ format: 'jwk' });
  return { kid: stored.kid, privateKey, jwks: { keys: [{ ...publicJwk, kid: stored.kid, alg: 'RS256', use: 'sig' }] } };
}

async function createKeyFile(keyFile: string): Promise<{ kid: string; jwk: Record<string, unknown> }> {
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const created = { kid: randomUUID(), jwk: privateKey.export({ format: 'jwk' }) as Record<string, unknown> };
  await mkdir(dirname(keyFile), { recursive: true });
  try {
    await writeFile(keyFile, JSON.stringify(created), { flag: 'wx', mode: 0o600 });
    return created;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    return JSON.parse(await readFile(keyFile, 'utf8'));
  }
}

export interface TokenOptions {
  scope?: string;
  sub?: string;
  /** Seconds from now; negative mints a token that has already expired. */
  expiresIn?: number;
}

/** An RS256 access token of the dev issuer, shaped as an OAuth server's (RFC 9068). */
export function mintToken(
  issuer: DevIssuer,
  { scope = 'clients:manage:all', sub = 'local-admin', expiresIn = 3600 }: TokenOptions = {},
): string {
  const now = Math.floor(Date.now() / 1000);
  const header = { alg: 'RS256', typ: 'at+jwt', kid: issuer.kid };
  const payload = { iss: DEV_ISSUER, sub, scope, iat: now, exp: now + expiresIn, jti: randomUUID() };
  const encode = (part: object) => Buffer.from(JSON.stringify(part)).toString('base64url');
  const signingInput = `${encode(header)}.${encode(payload)}`;
  return `${signingInput}.${sign('RSA-SHA256', Buffer.from(signingInput), issuer.privateKey).toString('base64url')}`;
}
