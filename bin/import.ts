/**
 * `npm run import -- --table NAME [--endpoint URL] [--region R] [--actor NAME] FILE`: loads a
 * seed file into an existing table (a deployed stack's), with the API's validation. Idempotent:
 * clients need an id, and what a file does not give keeps its stored value, so a second run
 * changes nothing. Each client it writes records an `imported` entry in its history, naming who
 * imports (bin/local/import-actor.ts).
 */
import { parseArgs } from 'node:util';
import { DescribeTableCommand } from '@aws-sdk/client-dynamodb';
import { historySettings } from '../lambda/config.js';
import { importOrigin } from '../lambda/domain/history-entry.js';
import { createDocumentClient } from '../lambda/store/document-client.js';
import { DynamoDbClientStore } from '../lambda/store/dynamodb-client-store.js';
import { DynamoDbIdentityProviderStore } from '../lambda/store/dynamodb-identity-provider-store.js';
import { DynamoDbScopeStore } from '../lambda/store/dynamodb-scope-store.js';
import { importActorName } from './local/import-actor.js';
import { readSeedFile, SeedError, writeSeed } from './local/seed.js';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

try {
  const { values, positionals } = parseArgs({
    options: {
      table: { type: 'string' },
      endpoint: { type: 'string' },
      region: { type: 'string' },
      actor: { type: 'string' },
    },
    allowPositionals: true,
  });
  const [file] = positionals;
  if (!values.table || !file || positionals.length !== 1) {
    throw new SeedError('usage: npm run import -- --table NAME [--endpoint URL] [--region R] [--actor NAME] FILE');
  }
  const origin = importOrigin(await importActorName(values));
  const documents = createDocumentClient({ endpoint: values.endpoint, region: values.region });
  try {
    await documents.send(new DescribeTableCommand({ TableName: values.table }));
    // The history settings of the functions that write the table, as the stack gives them.
    const store = new DynamoDbClientStore(documents, values.table, historySettings());
    const seed = await readSeedFile(file, {
      existingClient: async (id) => (await store.getClient(id))?.client,
      historyBytes: store.historyBytes,
    });
    const stores = {
      clients: store,
      scopes: new DynamoDbScopeStore(documents, values.table),
      identityProviders: new DynamoDbIdentityProviderStore(documents, values.table),
    };
    const report = await writeSeed(stores, seed, origin, (done, total) => {
      process.stdout.write(`\rclients ${done}/${total}`);
      if (done === total) process.stdout.write('\n');
    });
    console.log(
      `Imported into ${values.table}: ${report.identityProviders} identity providers, ${report.scopes} scopes, ` +
        `clients ${report.clientsCreated} created, ${report.clientsUpdated} updated, ${report.clientsUnchanged} unchanged.`,
    );
  } finally {
    documents.destroy();
  }
} catch (error) {
  console.error(`error: ${(error as Error).message.split('\n')[0]}`);
  process.exitCode = error instanceof SeedError ? 2 : 1;
}
