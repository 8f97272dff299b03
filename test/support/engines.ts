import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll } from 'vitest';
import {
  documentClientFor,
  type Engine,
  javaAvailable,
  startDynalite,
  startDynamoDbLocal,
} from '../../bin/local/dynamodb-engines.js';

/**
 * The engines the integration suites run on: dynalite always, AWS DynamoDB Local whenever Java
 * is there. CI always has Java: there, a missing DynamoDB Local must fail the run, not skip it.
 */
export const ENGINES: [string, () => Promise<Engine>][] = [
  ['dynalite', () => startDynalite()],
  ...(javaAvailable() || process.env.CI
    ? [['DynamoDB Local', startDynamoDbLocal] as [string, () => Promise<Engine>]]
    : []),
];

/**
 * The engine of a suite: started before its tests and stopped after them, with a document client
 * configured as the functions configure theirs. Read the fields inside hooks and tests.
 */
export function useEngine(startEngine: () => Promise<Engine>): { engine: Engine; documents: DynamoDBDocumentClient } {
  const suite = {} as { engine: Engine; documents: DynamoDBDocumentClient };
  beforeAll(async () => {
    suite.engine = await startEngine();
    suite.documents = documentClientFor(suite.engine.endpoint);
  });
  afterAll(async () => {
    suite.documents?.destroy();
    await suite.engine?.stop();
  });
  return suite;
}
