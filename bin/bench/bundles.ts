import { spawnSync } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { gzipSync } from 'node:zlib';
import { stop as stopEsbuild } from 'esbuild';
import { buildFunctions } from '../build.js';
import { median, round, type Spread, spreadOf } from './stats.js';

export interface BundleFigures {
  name: string;
  file: string;
  bytes: number;
  gzipBytes: number;
  containsSdk: boolean;
}

/** Builds the bundles as the stack deploys them and measures them. */
export async function measureBundles(outDir: string): Promise<BundleFigures[]> {
  const files = await buildFunctions(outDir);
  // esbuild's service process would otherwise end only after this one, unreaped.
  await stopEsbuild();
  return Promise.all(
    files.map(async (file) => {
      const content = await readFile(file);
      return {
        name: file.split('/').at(-2) as string,
        file,
        bytes: content.length,
        gzipBytes: gzipSync(content).length,
        containsSdk: content.includes('aws-sdk-js'),
      };
    }),
  );
}

const AUTHORIZER_ENVIRONMENT = { JWT_ISSUER: 'https://issuer.example.com/' };
const CLIENT_FUNCTION_ENVIRONMENT = {
  TABLE_NAME: 'bench',
  AWS_REGION: 'us-east-1',
  AWS_ACCESS_KEY_ID: 'x',
  AWS_SECRET_ACCESS_KEY: 'x',
};
const PUBLISHER_ENVIRONMENT = {
  EVENT_BUS_NAME: 'bench',
  EVENT_SOURCE: 'bench',
  AWS_REGION: 'us-east-1',
  AWS_ACCESS_KEY_ID: 'x',
  AWS_SECRET_ACCESS_KEY: 'x',
};
const INTROSPECTION_AUTHORIZER_ENVIRONMENT = {
  INTROSPECTION_URL: 'https://issuer.example.com/oauth/introspect',
  INTROSPECTION_CLIENT_ID: 'bench',
  INTROSPECTION_SECRET_ID: 'bench',
  INTROSPECTION_TOKEN_CLIENT_IDS: 'bench',
  AWS_REGION: 'us-east-1',
};
/** What each function reads from its environment at load, as the stack sets it. */
const ENVIRONMENTS: Record<string, Record<string, string>> = {
  authorizer: AUTHORIZER_ENVIRONMENT,
  'introspection-authorizer': INTROSPECTION_AUTHORIZER_ENVIRONMENT,
  'publish-client-changes': PUBLISHER_ENVIRONMENT,
};
const environmentOf = (name: string) => ENVIRONMENTS[name] ?? CLIENT_FUNCTION_ENVIRONMENT;

export interface ColdStartFigures {
  bareNodeMs: number;
  /** `overheadMs`: each run's load time minus bare node's in the same run, over the runs. */
  bundles: { name: string; medianMs: number; overheadMs: Spread }[];
}

/**
 * Wall time of fresh Node processes that load a bundle (module scope included), beside bare
 * `node -e 0`, interleaved run by run so that machine noise hits both alike.
 */
export function measureColdStarts(bundles: BundleFigures[], runs: number): ColdStartFigures {
  const time = (args: string[], env: Record<string, string>) => {
    const started = process.hrtime.bigint();
    const result = spawnSync(process.execPath, args, {
      env: { PATH: process.env.PATH, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true', ...env },
      stdio: 'ignore',
    });
    if (result.status !== 0) throw new Error(`cold start failed: ${args.join(' ')}`);
    return Number(process.hrtime.bigint() - started) / 1e6;
  };
  const bare: number[] = [];
  const loads = new Map<string, number[]>(bundles.map((bundle) => [bundle.name, []]));
  for (let run = 0; run < runs; run += 1) {
    bare.push(time(['-e', '0'], {}));
    for (const bundle of bundles) {
      const script = `await import(${JSON.stringify(bundle.file)})`;
      loads.get(bundle.name)?.push(time(['--input-type=module', '-e', script], environmentOf(bundle.name)));
    }
  }
  return {
    bareNodeMs: round(median(bare)),
    bundles: bundles.map(({ name }) => {
      const times = loads.get(name) ?? [];
      return {
        name,
        medianMs: round(median(times)),
        overheadMs: spreadOf(
          times.map((load, run) => load - (bare[run] as number)),
          1,
        ),
      };
    }),
  };
}
