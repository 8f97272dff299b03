import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { ensureTable } from '../../bin/local/dynamodb-engines.js';

let tableCounter = 0;

/** A new, empty table from the stack's definition, named uniquely for this test process. */
export async function newTable(documents: DynamoDBDocumentClient): Promise<string> {
  tableCounter += 1;
  const tableName = `clients-${process.pid}-${tableCounter}`;
  await ensureTable(documents, tableName);
  return tableName;
}
