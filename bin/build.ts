/**
 * Bundles each Lambda function into one minified ESM file, as the stack deploys it:
 * dist/<function>/index.mjs (+ source map), the AWS SDK inside.
 */
import { readdir } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const handlersDir = join(root, 'lambda', 'handlers');

export async function buildFunctions(outDir = join(root, 'dist')): Promise<string[]> {
  const entries = (await readdir(handlersDir)).filter((file) => file.endsWith('.ts'));
  return Promise.all(
    entries.map(async (file) => {
      const outfile = join(outDir, basename(file, '.ts'), 'index.mjs');
      await build({
        entryPoints: [join(handlersDir, file)],
        outfile,
        bundle: true,
        minify: true,
        sourcemap: true,
        format: 'esm',
        platform: 'node',
        target: 'node20',
        // Module-first resolution: the SDK's ESM builds, no `require` of node built-ins at run time.
        mainFields: ['module', 'main'],
        legalComments: 'none',
        logLevel: 'warning',
      });
      return outfile;
    }),
  );
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  for (const outfile of await buildFunctions()) console.log(outfile);
}
