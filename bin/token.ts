/**
 * `npm run token -- [--scope "a b"] [--sub S] [--expires-in SECONDS] [--opaque]`: prints a
 * bearer token of the local server's dev issuer, and nothing else. By default its scopes serve
 * every route; a negative --expires-in mints an expired one; --opaque mints an opaque token,
 * which `npm start` checks at its dev introspection endpoint (as a deployed stack with
 * -c introspectionUrl asks Boruta's or Hydra's).
 */
import { parseArgs } from 'node:util';
import { loadDevIssuer, mintOpaqueToken, mintToken } from './local/dev-issuer.js';

try {
  const { values } = parseArgs({
    args: joinNegativeExpiry(process.argv.slice(2)),
    options: {
      scope: { type: 'string' },
      sub: { type: 'string' },
      'expires-in': { type: 'string' },
      opaque: { type: 'boolean' },
    },
    strict: true,
  });
  const expiresIn = values['expires-in'] === undefined ? undefined : Number(values['expires-in']);
  if (expiresIn !== undefined && !Number.isInteger(expiresIn))
    throw new Error('--expires-in must be a whole number of seconds');
  const mint = values.opaque ? mintOpaqueToken : mintToken;
  console.log(mint(await loadDevIssuer(), { scope: values.scope, sub: values.sub, expiresIn }));
} catch (error) {
  console.error(`error: ${(error as Error).message.split('\n')[0]}`);
  process.exit(2);
}

/** `--expires-in -60` would read as a short option `-6`: join a negative number to its flag. */
function joinNegativeExpiry(args: string[]): string[] {
  const joined: string[] = [];
  for (const arg of args) {
    if (joined.at(-1) === '--expires-in' && /^-\d+$/.test(arg)) joined[joined.length - 1] = `--expires-in=${arg}`;
    else joined.push(arg);
  }
  return joined;
}
