import { parseArgs } from 'node:util';
import { historySettings } from '../../lambda/config.js';
import { parseCorsOrigins } from '../../lambda/http/cors.js';
import type { ClientStoreSettings } from '../../lambda/store/dynamodb-client-store.js';

export interface LocalServerOptions {
  port: number;
  host: string;
  /** A seed file; absent, the demo data. */
  seedFile?: string;
  /** dynalite keeps its data in this folder, across restarts. */
  dataDir?: string;
  engine: 'dynalite' | 'dynamodb-local';
  /** An existing DynamoDB (a real table, another local engine) instead of an embedded one. */
  endpoint?: string;
  table: string;
  protectedClientIds: string[];
  /** The stage's and the methods' throttles as deployed (429); off for load tests. */
  throttle: boolean;
  /** Where DynamoDB Local's Client Changed events go: appended to this file, else printed. */
  eventsFile?: string;
  /** HISTORY_CAPACITY and HISTORY_RETENTION_DAYS, as the functions read them. */
  history: Required<Pick<ClientStoreSettings, 'historyCapacity' | 'historyRetentionDays'>>;
  /** Origins whose browsers may call the API (CORS), as the stack's `corsOrigins`. */
  corsOrigins: string[];
}

export class UsageError extends Error {}

const FLAGS = {
  port: { type: 'string', env: 'PORT' },
  host: { type: 'string', env: 'HOST' },
  seed: { type: 'string', env: 'SEED_FILE' },
  'data-dir': { type: 'string', env: 'DATA_DIR' },
  engine: { type: 'string', env: 'ENGINE' },
  endpoint: { type: 'string', env: 'DYNAMODB_ENDPOINT' },
  table: { type: 'string', env: 'TABLE_NAME' },
  'protected-client-id': { type: 'string', env: 'PROTECTED_CLIENT_IDS', multiple: true },
  'cors-origin': { type: 'string', env: 'CORS_ORIGINS', multiple: true },
  'no-throttle': { type: 'boolean', env: 'THROTTLE' },
  'events-file': { type: 'string', env: 'EVENTS_FILE' },
} as const;

/** The local server's settings: each flag, else its environment variable, else the default. */
export function parseLocalServerOptions(argv: string[], environment: NodeJS.ProcessEnv): LocalServerOptions {
  let values: Record<string, string | boolean | (string | boolean)[] | undefined>;
  try {
    ({ values } = parseArgs({
      args: argv,
      options: Object.fromEntries(
        Object.entries(FLAGS).map(([name, flag]) => [name, { type: flag.type, multiple: 'multiple' in flag }]),
      ),
      strict: true,
      allowPositionals: false,
    }));
  } catch (error) {
    throw new UsageError((error as Error).message.split('\n')[0]);
  }
  const value = (name: Exclude<keyof typeof FLAGS, 'no-throttle'>): string | undefined => {
    const given = values[name] as string | string[] | undefined;
    return (Array.isArray(given) ? given[0] : given) ?? (environment[FLAGS[name].env] || undefined);
  };

  const port = Number(value('port') ?? 3000);
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    throw new UsageError(`--port must be 0 to 65535, not ${value('port')}`);
  const engine = value('engine') ?? 'dynalite';
  if (engine !== 'dynalite' && engine !== 'dynamodb-local') {
    throw new UsageError(`--engine must be dynalite or dynamodb-local, not ${engine}`);
  }
  const endpoint = value('endpoint');
  const dataDir = value('data-dir');
  if (dataDir && engine !== 'dynalite') throw new UsageError('--data-dir goes with the dynalite engine');
  if (endpoint && (dataDir || values.engine))
    throw new UsageError('--endpoint replaces the embedded engine: drop --engine and --data-dir');
  if (endpoint && !/^https?:\/\//.test(endpoint))
    throw new UsageError(`--endpoint must be an http(s) URL, not ${endpoint}`);
  const throttleSetting = environment.THROTTLE || 'on';
  if (throttleSetting !== 'on' && throttleSetting !== 'off')
    throw new UsageError(`THROTTLE must be on or off, not ${throttleSetting}`);
  const protectedFlags = (values['protected-client-id'] as string[] | undefined) ?? [];
  const eventsFile = value('events-file');
  if (eventsFile && endpoint) {
    throw new UsageError(
      '--events-file goes with --engine dynamodb-local: the events come from the stream of the embedded engine, and an external endpoint (a deployed table) has its own publisher',
    );
  }
  if (eventsFile && engine !== 'dynamodb-local') {
    throw new UsageError(
      '--events-file needs --engine dynamodb-local: dynalite does not implement DynamoDB Streams, which the events come from',
    );
  }
  let history: LocalServerOptions['history'];
  try {
    history = historySettings(environment);
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  const corsFlags = (values['cors-origin'] as string[] | undefined) ?? [];
  let corsOrigins: string[];
  try {
    corsOrigins = parseCorsOrigins(
      corsFlags.length > 0 ? corsFlags : (environment.CORS_ORIGINS ?? '').split(/[\s,]+/).filter(Boolean),
    );
  } catch (error) {
    throw new UsageError(`--cors-origin: ${(error as Error).message}`);
  }
  return {
    port,
    host: value('host') ?? '127.0.0.1',
    seedFile: value('seed'),
    dataDir,
    engine,
    endpoint,
    table: value('table') ?? 'clients',
    protectedClientIds:
      protectedFlags.length > 0
        ? protectedFlags
        : (environment.PROTECTED_CLIENT_IDS ?? '').split(/[\s,]+/).filter(Boolean),
    throttle: values['no-throttle'] !== true && throttleSetting === 'on',
    eventsFile,
    history,
    corsOrigins,
  };
}
