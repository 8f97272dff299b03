import type { Client } from '../../lambda/domain/client.js';
import { itemKeys } from '../../lambda/store/dynamodb-client-store.js';

/** A client as the DynamoDB adapter stores it. */
export function clientItem(client: Client, version: number): Record<string, unknown> {
  return { ...itemKeys.client(client.id), ...client, version };
}
