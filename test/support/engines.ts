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

/** The suite's engine, started before its tests and stopped after, with a document client on it. */
export function suiteEngine(startEngine: () => Promise<Engine>): { readonly documents: DynamoDBDocumentClient } {
  let engine: Engine | undefined;
  const suite = { documents: undefined as unknown as DynamoDBDocumentClient };
  beforeAll(async () => {
    engine = await startEngine();
    suite.documents = documentClientFor(engine.endpoint);
  });
  afterAll(async () => {
    suite.documents?.destroy();
    await engine?.stop();
  });
  return suite;
}
