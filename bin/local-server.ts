/**
 * `npm start`: the API on this machine, as deployed, on an embedded DynamoDB. Flags in
 * bin/local/options.ts and docs/local.md; the first line printed is `Listening on <url>`.
 */
import { DEV_TOKEN_SCOPE } from './local/dev-issuer.js';
import { parseLocalServerOptions, UsageError } from './local/options.js';
import { DOCS_PATH } from './local/public-documents.js';
import { startLocalServer } from './local/server.js';

// The SDK warns on every start that its 2027 releases will need Node 22: true, and no news here.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

try {
  const server = await startLocalServer(parseLocalServerOptions(process.argv.slice(2), process.env));
  console.log(`Listening on ${server.url}`);
  console.log(`\nBearer token (scope ${DEV_TOKEN_SCOPE}, valid 1 h; more with npm run token):\n${server.token}`);
  if (server.curlExample) console.log(`\nTry:\n${server.curlExample}\n`);
  console.log(`${server.curlExample ? '' : '\n'}API reference (no token needed): ${server.url}${DOCS_PATH}`);
  const events = await server.emitEvents();
  if (events) console.log(events);
  let stopping = false;
  const stop = async () => {
    if (stopping) return;
    stopping = true;
    await server.close();
    console.log('Stopped: server closed, engine stopped.');
    process.exit(0);
  };
  // `on`, not `once`: a signal sent to the process group arrives twice (tsx relays it too), and
  // the second must not kill the process halfway through stopping the engine.
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
} catch (error) {
  console.error(`error: ${(error as Error).message}`);
  process.exit(error instanceof UsageError ? 2 : 1);
}
