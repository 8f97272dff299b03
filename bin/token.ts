/**
 * `npm run token -- [--scope "a b"] [--sub S] [--expires-in SECONDS]`: prints a bearer token of
 * the local server's dev issuer, and nothing else. A negative --expires-in mints an expired one.
 */
import { parseArgs } from 'node:util';
import { loadDevIssuer, mintToken } from './local/dev-issuer.js';

try {
  const { values } = parseArgs({
    options: { scope: { type: 'string' }, sub: { type: 'string' }, 'expires-in': { type: 'string' } },
    strict: true,
  });
  const expiresIn = values['expires-in'] === undefined ? undefined : Number(values['expires-in']);
  if (expiresIn !== undefined && !Number.isInteger(expiresIn))
    throw new Error('--expires-in must be a whole number of seconds');
  console.log(mintToken(await loadDevIssuer(), { scope: values.scope, sub: values.sub, expiresIn }));
} catch (error) {
  console.error(`error: ${(error as Error).message.split('\n')[0]}`);
  process.exit(2);
}
