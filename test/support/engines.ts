import { type Engine, javaAvailable, startDynalite, startDynamoDbLocal } from '../../bin/local/dynamodb-engines.js';

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
