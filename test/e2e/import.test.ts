import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { documentClientFor, type Engine, startDynalite } from '../../bin/local/dynamodb-engines.js';
import { scopeUseCases } from '../../lambda/app/scopes.js';
import { DynamoDbClientStore } from '../../lambda/store/dynamodb-client-store.js';
import { DynamoDbScopeStore } from '../../lambda/store/dynamodb-scope-store.js';
import { PROJECT_ROOT } from '../../lib/function-bundling.js';
import { newTable } from '../support/tables.js';

const run = promisify(execFile);
const PROVIDER = { id: 'aaaaaaaa-bbbb-4ccc-8ddd-eeeeeeeeeeee', name: 'Corporate' };
const SCOPE = { id: 'bbbbbbbb-cccc-4ddd-8eee-ffffffffffff', name: 'billing', public: false };
const CLIENTS = ['cccccccc-dddd-4eee-8fff-000000000001', 'cccccccc-dddd-4eee-8fff-000000000002'];

describe('npm run import', () => {
  let engine: Engine;
  let folder: string;
  let table: string;
  let store: DynamoDbClientStore;
  let scopes: DynamoDbScopeStore;

  beforeAll(async () => {
    engine = await startDynalite();
    folder = await mkdtemp(join(tmpdir(), 'import-'));
    const documents = documentClientFor(engine.endpoint);
    table = await newTable(documents);
    store = new DynamoDbClientStore(documents, table);
    scopes = new DynamoDbScopeStore(documents, table);
  });
  afterAll(async () => {
    await engine?.stop();
    await rm(folder, { recursive: true, force: true });
  });

  async function importFile(
    name: string,
    content: unknown,
    args: string[] = ['--table', table, '--endpoint', engine.endpoint],
  ) {
    const file = join(folder, name);
    await writeFile(file, JSON.stringify(content));
    try {
      const { stdout, stderr } = await run('npm', ['--silent', 'run', 'import', '--', ...args, file], {
        cwd: PROJECT_ROOT,
        env: {
          PATH: process.env.PATH,
          HOME: process.env.HOME,
          AWS_ACCESS_KEY_ID: 'local',
          AWS_SECRET_ACCESS_KEY: 'local',
          AWS_REGION: 'us-east-1',
        },
      });
      return { code: 0, stdout, stderr };
    } catch (error) {
      return error as { code: number; stdout: string; stderr: string };
    }
  }

  const seed = (name: string) => ({
    identity_providers: [PROVIDER],
    scopes: [SCOPE],
    clients: CLIENTS.map((id, index) => ({
      id,
      name: index === 0 ? name : 'Second',
      identity_provider: { id: PROVIDER.id },
      authorized_scopes: [{ id: SCOPE.id }],
    })),
  });

  it('creates, then leaves alone, then updates only what the file changes, keeping generated secrets', async () => {
    const first = await importFile('first.json', seed('Billing'));
    const secret = (await store.getClient(CLIENTS[0] as string))?.client.secret;
    const again = await importFile('again.json', seed('Billing'));
    const changed = await importFile('changed.json', seed('Billing v2'));

    expect(first.stdout).toContain('clients 2/2');
    expect(first.stdout).toContain('1 identity providers, 1 scopes, clients 2 created, 0 updated, 0 unchanged.');
    expect(again.stdout).toContain('clients 0 created, 0 updated, 2 unchanged.');
    expect(changed.stdout).toContain('clients 0 created, 1 updated, 1 unchanged.');
    const stored = await store.getClient(CLIENTS[0] as string);
    expect(stored?.client).toMatchObject({
      name: 'Billing v2',
      secret,
      authorized_scopes: [SCOPE],
      identity_provider: PROVIDER,
    });
    expect(stored?.version).toBe(2);
  }, 60_000);

  it('renames a scope whose id exists with another name: the old name is free, every client has the new one', async () => {
    await importFile('before.json', seed('Billing'));
    const renamed = { ...SCOPE, name: 'billing:read' };

    const result = await importFile('renamed.json', { ...seed('Billing'), scopes: [renamed] });

    expect(result.code).toBe(0);
    for (const id of CLIENTS) {
      expect((await store.getClient(id))?.client.authorized_scopes).toEqual([renamed]);
    }
    expect((await scopes.get(SCOPE.id))?.record).toEqual({ ...renamed, label: null });
    const created = await scopeUseCases(scopes, store).create({ name: SCOPE.name });
    expect(created).toMatchObject({ status: 'ok', resource: { record: { name: SCOPE.name } } });
  }, 60_000);

  it.each([
    ['absent', {}],
    ['null, as an export shows none', { identity_provider: { id: null, name: null } }],
  ])('imports a client whose identity provider is %s', async (_, provider) => {
    const id = 'cccccccc-dddd-4eee-8fff-000000000009';

    const result = await importFile('no-provider.json', { clients: [{ id, name: 'No provider', ...provider }] });

    expect(result.code).toBe(0);
    expect((await store.getClient(id))?.client.identity_provider).toBeNull();
  });

  it.each([
    [
      'a client without an id',
      { identity_providers: [PROVIDER], clients: [{ identity_provider: { id: PROVIDER.id } }] },
      /clients\[0\]: id is required to import a client$/,
    ],
    [
      'an invalid field',
      {
        identity_providers: [PROVIDER],
        clients: [{ id: CLIENTS[0], identity_provider: { id: PROVIDER.id }, id_token_ttl: 0 }],
      },
      /clients\[0\] \([0-9a-f-]{36}\): id_token_ttl is invalid$/,
    ],
  ])('refuses %s in one line, writing nothing', async (_, content, message) => {
    const result = await importFile('bad.json', content);

    expect(result.code).toBe(2);
    expect(result.stderr.trim()).toMatch(message);
  });

  it('answers usage without a table', async () => {
    const result = await importFile('any.json', {}, []);

    expect(result.code).toBe(2);
    expect(result.stderr.trim()).toBe(
      'error: usage: npm run import -- --table NAME [--endpoint URL] [--region R] [--actor NAME] FILE',
    );
  });

  it('records who imports in the history of each client it writes: --actor, else the local user on another endpoint', async () => {
    const id = 'cccccccc-dddd-4eee-8fff-000000000010';
    const endpoint = ['--table', table, '--endpoint', engine.endpoint];

    const named = await importFile('actor.json', { clients: [{ id, name: 'First' }] }, [
      ...endpoint,
      '--actor',
      'jane@example.com',
    ]);
    const unnamed = await importFile('local.json', { clients: [{ id, name: 'Second' }] });

    expect([named.code, unnamed.code]).toEqual([0, 0]);
    expect(
      (await store.getHistory(id))?.map(({ version, action, actor, request_id }) => ({
        version,
        action,
        actor,
        request_id,
      })),
    ).toEqual([
      {
        version: 2,
        action: 'imported',
        actor: { sub: `local:${userInfo().username}`, client_id: null, issuer: null },
        request_id: null,
      },
      {
        version: 1,
        action: 'imported',
        actor: { sub: 'jane@example.com', client_id: null, issuer: null },
        request_id: null,
      },
    ]);
  });

  it('refuses an empty --actor before writing anything', async () => {
    const result = await importFile('empty-actor.json', { clients: [{ id: CLIENTS[0], name: 'x' }] }, [
      '--table',
      table,
      '--endpoint',
      engine.endpoint,
      '--actor',
      ' ',
    ]);

    expect(result.code).toBe(2);
    expect(result.stderr.trim()).toBe('error: --actor must name who imports');
  });
});
