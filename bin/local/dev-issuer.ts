import {
  createCipheriv,
  createDecipheriv,
  createPrivateKey,
  createPublicKey,
  generateKeyPairSync,
  hkdfSync,
  type KeyObject,
  randomBytes,
  randomUUID,
  sign,
} from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { EVERY_ROUTE_SCOPE_NAMES } from '../../lib/api-routes.js';
import { PROJECT_ROOT } from '../../lib/function-bundling.js';

/** The issuer of the local server's tokens; nothing outside this machine trusts it. */
export const DEV_ISSUER = 'http://localhost/dev-issuer';
/** Shared by `npm start` and `npm run token`; git-ignored. */
export const DEV_ISSUER_KEY_FILE = join(PROJECT_ROOT, '.local', 'dev-issuer-key.json');

/** The scopes of a dev token unless told otherwise: together they serve every route. */
export const DEV_TOKEN_SCOPE = EVERY_ROUTE_SCOPE_NAMES.join(' ');

export interface DevIssuer {
  kid: string;
  privateKey: KeyObject;
  jwks: { keys: Record<string, unknown>[] };
  /** Seals and opens opaque tokens: derived from the private key, so every command agrees on it. */
  opaqueTokenKey: Buffer;
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
  const opaqueTokenKey = Buffer.from(
    hkdfSync('sha256', privateKey.export({ type: 'pkcs8', format: 'der' }), stored.kid, 'dev opaque tokens', 32),
  );
  return {
    kid: stored.kid,
    privateKey,
    jwks: { keys: [{ ...publicJwk, kid: stored.kid, alg: 'RS256', use: 'sig' }] },
    opaqueTokenKey,
  };
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

/** The client every dev token is issued to: the local authorizer accepts this one's tokens only. */
export const DEV_TOKEN_CLIENT_ID = 'local-cli';
/** The subject of a dev token unless one is asked for. */
export const DEV_TOKEN_SUBJECT = 'local-admin';

export interface TokenOptions {
  scope?: string;
  sub?: string;
  /** Seconds from now; negative mints a token that has already expired. */
  expiresIn?: number;
}

/** The claims of a dev token, as a JWT carries them and as introspection answers them. */
function devClaims({ scope = DEV_TOKEN_SCOPE, sub = DEV_TOKEN_SUBJECT, expiresIn = 3600 }: TokenOptions) {
  const now = Math.floor(Date.now() / 1000);
  return {
    iss: DEV_ISSUER,
    sub,
    scope,
    client_id: DEV_TOKEN_CLIENT_ID,
    iat: now,
    exp: now + expiresIn,
    jti: randomUUID(),
  };
}

/** An RS256 access token of the dev issuer, shaped as an OAuth server's (RFC 9068). */
export function mintToken(issuer: DevIssuer, options: TokenOptions = {}): string {
  const header = { alg: 'RS256', typ: 'at+jwt', kid: issuer.kid };
  const payload = devClaims(options);
  const encode = (part: object) => Buffer.from(JSON.stringify(part)).toString('base64url');
  const signingInput = `${encode(header)}.${encode(payload)}`;
  return `${signingInput}.${sign('RSA-SHA256', Buffer.from(signingInput), issuer.privateKey).toString('base64url')}`;
}

const IV_BYTES = 12;
const TAG_BYTES = 16;

/**
 * An opaque access token of the dev issuer, as Boruta or Ory Hydra issue them: nothing but the
 * dev introspection endpoint can read it. Its claims travel sealed (AES-256-GCM) inside it, so
 * that `npm run token -- --opaque` and `npm start` need no shared store.
 */
export function mintOpaqueToken(issuer: DevIssuer, options: TokenOptions = {}): string {
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv('aes-256-gcm', issuer.opaqueTokenKey, iv);
  const sealed = Buffer.concat([cipher.update(JSON.stringify(devClaims(options))), cipher.final()]);
  return Buffer.concat([iv, sealed, cipher.getAuthTag()]).toString('base64url');
}

/** The claims sealed in an opaque token of this issuer, or undefined for any other string. */
export function openOpaqueToken(issuer: DevIssuer, token: string): Record<string, unknown> | undefined {
  const bytes = Buffer.from(token, 'base64url');
  if (bytes.length <= IV_BYTES + TAG_BYTES || bytes.toString('base64url') !== token) return undefined;
  try {
    const decipher = createDecipheriv('aes-256-gcm', issuer.opaqueTokenKey, bytes.subarray(0, IV_BYTES));
    decipher.setAuthTag(bytes.subarray(bytes.length - TAG_BYTES));
    const opened = Buffer.concat([
      decipher.update(bytes.subarray(IV_BYTES, bytes.length - TAG_BYTES)),
      decipher.final(),
    ]);
    return JSON.parse(opened.toString('utf8'));
  } catch {
    return undefined;
  }
}
