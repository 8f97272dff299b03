import { spawnSync } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { stop as stopEsbuild } from 'esbuild';
import { PROJECT_ROOT } from '../../lib/function-bundling.js';
import { buildFunctions, bundleFunction } from '../build.js';
import { median, round, type Spread, spreadOf } from './stats.js';

export interface BundleFigures {
  name: string;
  file: string;
  bytes: number;
  gzipBytes: number;
  containsSdk: boolean;
  /** The cold-start floor of a function that carries the AWS SDK: see SDK_CLIENTS. */
  sdkFloor?: { name: string; file: string };
}

/**
 * The AWS SDK clients the functions create at load, created as they create them, and nothing of
 * ours: loaded alone, they are the cold-start floor of each function that carries them (the SDK
 * alone loads in more than the 50 ms the budget once gave all of a function). Each is told in a
 * bundle by the protocol name its service's client carries.
 */
const SDK_CLIENTS = [
  {
    name: 'DynamoDB',
    marker: 'DynamoDB_20120810',
    source: `import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
export const documents = DynamoDBDocumentClient.from(new DynamoDBClient({ maxAttempts: 3 }), { marshallOptions: { removeUndefinedValues: true } });`,
  },
  {
    name: 'EventBridge',
    marker: 'AWSEvents',
    source: `import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
export const events = new EventBridgeClient({ maxAttempts: 3 });`,
  },
  {
    name: 'Secrets Manager',
    marker: 'secretsmanager',
    source: `import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
export const secrets = new SecretsManagerClient({});`,
  },
];

/** Builds the bundles as the stack deploys them, and their SDK floors, and measures them. */
export async function measureBundles(outDir: string): Promise<BundleFigures[]> {
  const files = await buildFunctions(outDir);
  const bundles = await Promise.all(
    files.map(async (file) => {
      const bytes = await readFile(file);
      const content = bytes.toString('latin1');
      return {
        name: file.split('/').at(-2) as string,
        file,
        bytes: bytes.length,
        gzipBytes: gzipSync(bytes).length,
        containsSdk: content.includes('aws-sdk-js'),
        clients: SDK_CLIENTS.filter(({ marker }) => content.includes(marker)),
      };
    }),
  );
  const floors = new Map<string, Promise<string>>();
  const floorOf = (clients: typeof SDK_CLIENTS) => {
    const name = clients.map((client) => client.name).join(' + ');
    if (!floors.has(name)) floors.set(name, buildSdkFloor(clients, join(outDir, `sdk-floor-${floors.size}`)));
    return { name, file: floors.get(name) as Promise<string> };
  };
  const measured = await Promise.all(
    bundles.map(async ({ clients, ...figures }) => {
      if (clients.length === 0) return figures;
      const floor = floorOf(clients);
      return { ...figures, sdkFloor: { name: floor.name, file: await floor.file } };
    }),
  );
  // esbuild's service process would otherwise end only after this one, unreaped.
  await stopEsbuild();
  return measured;
}

function buildSdkFloor(clients: typeof SDK_CLIENTS, dir: string): Promise<string> {
  const contents = clients.map((client) => client.source).join('\n');
  return bundleFunction({ stdin: { contents, resolveDir: PROJECT_ROOT, loader: 'ts' } }, join(dir, 'index.mjs'));
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
  /**
   * `overheadMs`: each run's load time minus bare node's in the same run, over the runs;
   * `overFloorMs`: minus its SDK floor's instead, for a function that carries the SDK.
   */
  bundles: { name: string; medianMs: number; overheadMs: Spread; sdkFloor?: string; overFloorMs?: Spread }[];
  /** The SDK floors alone, over bare node. */
  sdkFloors: { name: string; medianMs: number; overheadMs: Spread }[];
}

/**
 * Wall time of fresh Node processes that load a bundle (module scope included), beside bare
 * `node -e 0` and the SDK floors, interleaved run by run so that machine noise hits all alike.
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
  const load = (file: string, env: Record<string, string>) =>
    time(['--input-type=module', '-e', `await import(${JSON.stringify(file)})`], env);
  const floors = new Map(
    bundles.flatMap(({ name, sdkFloor }) =>
      sdkFloor ? [[sdkFloor.name, { ...sdkFloor, env: environmentOf(name) }]] : [],
    ),
  );
  const bare: number[] = [];
  const loads = new Map<string, number[]>([...bundles, ...floors.values()].map(({ name }) => [name, []]));
  for (let run = 0; run < runs; run += 1) {
    bare.push(time(['-e', '0'], {}));
    for (const floor of floors.values()) loads.get(floor.name)?.push(load(floor.file, floor.env));
    for (const bundle of bundles) loads.get(bundle.name)?.push(load(bundle.file, environmentOf(bundle.name)));
  }
  const over = (times: number[], floor: number[]) =>
    spreadOf(
      times.map((time, run) => time - (floor[run] as number)),
      1,
    );
  const figures = (name: string) => {
    const times = loads.get(name) ?? [];
    return { name, medianMs: round(median(times)), overheadMs: over(times, bare) };
  };
  return {
    bareNodeMs: round(median(bare)),
    bundles: bundles.map(({ name, sdkFloor }) => ({
      ...figures(name),
      ...(sdkFloor && {
        sdkFloor: sdkFloor.name,
        overFloorMs: over(loads.get(name) ?? [], loads.get(sdkFloor.name) ?? []),
      }),
    })),
    sdkFloors: [...floors.keys()].map(figures),
  };
}
