import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root: function entries and the lockfile are found from here. */
export const PROJECT_ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
export const HANDLERS_DIR = join(PROJECT_ROOT, 'lambda', 'handlers');

/**
 * How every function is bundled, shared by the stack (NodejsFunction) and `npm run build`, so
 * that what is measured and tested locally is what is deployed: one minified ESM file with its
 * source map, the AWS SDK inside.
 */
export const FUNCTION_BUNDLING = {
  format: 'esm',
  platform: 'node',
  minify: true,
  sourcemap: true,
  // Node 20 runs the local server and the benchmarks; Lambda runs a later Node that accepts it.
  target: 'node20',
  // Module-first resolution: the SDK's ESM builds, and no `require` of node built-ins at run time.
  mainFields: ['module', 'main'],
  legalComments: 'none',
  // Lambda gives functions their credentials in the environment: see lambda/store/lambda-credentials.ts.
  alias: { '@aws-sdk/credential-provider-node': './lambda/store/lambda-credentials.ts' },
} as const;
