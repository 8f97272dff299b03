/**
 * Bundles each Lambda function into one minified ESM file, as the stack deploys it:
 * dist/<function>/index.mjs (+ source map), the AWS SDK inside.
 */
import { readdir } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { FUNCTION_BUNDLING, HANDLERS_DIR, PROJECT_ROOT } from '../lib/function-bundling.js';

/** Every function, or only those named (e.g. `update-client`). */
export async function buildFunctions(outDir = join(PROJECT_ROOT, 'dist'), only?: string[]): Promise<string[]> {
  const entries = (await readdir(HANDLERS_DIR)).filter(
    (file) => file.endsWith('.ts') && (!only || only.includes(basename(file, '.ts'))),
  );
  return Promise.all(
    entries.map(async (file) => {
      const outfile = join(outDir, basename(file, '.ts'), 'index.mjs');
      await build({
        ...FUNCTION_BUNDLING,
        mainFields: [...FUNCTION_BUNDLING.mainFields],
        absWorkingDir: PROJECT_ROOT,
        entryPoints: [join(HANDLERS_DIR, file)],
        outfile,
        bundle: true,
        logLevel: 'warning',
      });
      return outfile;
    }),
  );
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  for (const outfile of await buildFunctions()) console.log(outfile);
}
