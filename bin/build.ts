/**
 * Bundles each Lambda function into one minified ESM file, as the stack deploys it:
 * dist/<function>/index.mjs (+ source map), the AWS SDK inside.
 */
import { readdir } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type BuildOptions, build } from 'esbuild';
import { FUNCTION_BUNDLING, HANDLERS_DIR, PROJECT_ROOT } from '../lib/function-bundling.js';

/** Every function, or only those named (e.g. `update-client`). */
export async function buildFunctions(outDir = join(PROJECT_ROOT, 'dist'), only?: string[]): Promise<string[]> {
  const entries = (await readdir(HANDLERS_DIR)).filter(
    (file) => file.endsWith('.ts') && (!only || only.includes(basename(file, '.ts'))),
  );
  return Promise.all(
    entries.map(async (file) => {
      return bundleFunction(
        { entryPoints: [join(HANDLERS_DIR, file)] },
        join(outDir, basename(file, '.ts'), 'index.mjs'),
      );
    }),
  );
}

/** One bundle as the stack deploys a function, from an entry file or from source given inline. */
export async function bundleFunction(
  source: Pick<BuildOptions, 'entryPoints' | 'stdin'>,
  outfile: string,
): Promise<string> {
  await build({
    ...FUNCTION_BUNDLING,
    mainFields: [...FUNCTION_BUNDLING.mainFields],
    absWorkingDir: PROJECT_ROOT,
    ...source,
    outfile,
    bundle: true,
    logLevel: 'warning',
  });
  return outfile;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  for (const outfile of await buildFunctions()) console.log(outfile);
}
