import { DynamoDBClient, type DynamoDBClientConfig } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';

/**
 * The DynamoDB client of a function, created once per container. Short timeouts and the SDK's
 * standard retries (throttling included) keep a slow store from holding a request until the
 * Lambda times out; what still fails then is answered 503. The endpoint comes from
 * AWS_ENDPOINT_URL_DYNAMODB when set; `overrides` serve local engines and tests.
 */
export function createDocumentClient(overrides: DynamoDBClientConfig = {}): DynamoDBDocumentClient {
  const client = new DynamoDBClient({
    maxAttempts: 3,
    requestHandler: { connectionTimeout: 1_000, requestTimeout: 3_000 },
    ...overrides,
  });
  return DynamoDBDocumentClient.from(client, {
    marshallOptions: {
      removeUndefinedValues: true,
      // A key type may carry extras named like Object members: `{"constructor": "B"}` has a string
      // where the marshaller looks for a class, and would be refused as a class instance (a 500).
      // Every value we write is JSON-shaped, so an object is always written as the map it is.
      convertClassInstanceToMap: true,
    },
  });
}
