import { setTimeout as sleep } from 'node:timers/promises';
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import {
  BatchGetCommand,
  BatchWriteCommand,
  DeleteCommand,
  type DeleteCommandInput,
  type DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  type PutCommandInput,
  QueryCommand,
  type QueryCommandInput,
  type QueryCommandOutput,
  UpdateCommand,
  type UpdateCommandInput,
  type UpdateCommandOutput,
} from '@aws-sdk/lib-dynamodb';
import { isServerError, isThrottlingError, isTransientError } from '@smithy/core/retry';
import { StoreUnavailableError } from './client-store.js';
import { PARTITION_KEY, SORT_KEY } from './table-definition.js';

export type Item = Record<string, unknown>;
export type Key = Record<typeof PARTITION_KEY | typeof SORT_KEY, string>;

const BATCH_GET_LIMIT = 100;
const BATCH_WRITE_LIMIT = 25;
const UNPROCESSED_ATTEMPTS = 5;

/**
 * The one table as every adapter uses it: consistent reads, conditional writes that report a
 * failed condition as `false` instead of throwing, batches split to DynamoDB's limits with their
 * unprocessed keys asked again, and store failures worth retrying as StoreUnavailableError.
 */
export class DynamoDbTable {
  constructor(
    readonly documents: DynamoDBDocumentClient,
    readonly tableName: string,
  ) {}

  async get(key: Key, projection: Projection = {}): Promise<Item | undefined> {
    const { Item } = await this.send(() =>
      this.documents.send(new GetCommand({ TableName: this.tableName, Key: key, ConsistentRead: true, ...projection })),
    );
    return Item;
  }

  /** A put, only when `condition` holds (if given); false when it did not. */
  async put(item: Item, condition?: Condition): Promise<boolean> {
    const input: PutCommandInput = { TableName: this.tableName, Item: item, ...condition };
    return this.unlessConditionFails(() => this.documents.send(new PutCommand(input)));
  }

  /** An update; the new item, or undefined when the condition did not hold. */
  async update(input: Omit<UpdateCommandInput, 'TableName' | 'ReturnValues'>): Promise<Item | undefined> {
    let output: UpdateCommandOutput | undefined;
    const written = await this.unlessConditionFails(async () => {
      output = await this.documents.send(
        new UpdateCommand({ ...input, TableName: this.tableName, ReturnValues: 'ALL_NEW' }),
      );
    });
    return written ? (output?.Attributes as Item) : undefined;
  }

  async delete(key: Key, condition?: Condition): Promise<boolean> {
    const input: DeleteCommandInput = { TableName: this.tableName, Key: key, ...condition };
    return this.unlessConditionFails(() => this.documents.send(new DeleteCommand(input)));
  }

  /**
   * Every item of a partition (whose sort key starts with `prefix`), reading every page; given
   * `atMost`, no more than that many items are read (and returned).
   */
  async queryAll(partition: string, prefix?: string, atMost?: number): Promise<Item[]> {
    const items: Item[] = [];
    const limit = () => (atMost === undefined ? {} : { Limit: atMost - items.length });
    for await (const page of this.pages(partition, prefix, limit)) {
      items.push(...(page.Items ?? []));
      if (atMost !== undefined && items.length >= atMost) break;
    }
    return items;
  }

  /** How many items a partition holds (DynamoDB still charges the read of every one). */
  async count(partition: string): Promise<number> {
    let count = 0;
    for await (const page of this.pages(partition, undefined, () => ({ Select: 'COUNT' }))) count += page.Count ?? 0;
    return count;
  }

  /** A partition's Query, page after page; `perPage` adds to each page's input when it is sent. */
  private async *pages(
    partition: string,
    prefix: string | undefined,
    perPage: () => Partial<QueryCommandInput>,
  ): AsyncGenerator<QueryCommandOutput> {
    let startKey: Item | undefined;
    do {
      const page = await this.send(() =>
        this.documents.send(
          new QueryCommand({
            ...partitionQuery(this.tableName, partition, prefix),
            ...perPage(),
            ExclusiveStartKey: startKey,
          }),
        ),
      );
      yield page;
      startKey = page.LastEvaluatedKey;
    } while (startKey);
  }

  async batchGet(keys: Key[], projection: Projection = {}): Promise<Item[]> {
    // DynamoDB refuses an empty key attribute: such a key names no item anyway.
    const unique = [
      ...new Map(keys.filter((key) => key.sk !== '').map((key) => [`${key.pk}\u0000${key.sk}`, key])).values(),
    ];
    if (unique.length === 0) return [];
    // Most reads (an update's, a show's) fit in one request.
    if (unique.length <= BATCH_GET_LIMIT) return this.batchGetChunk(unique, projection);
    const results = await Promise.all(
      chunks(unique, BATCH_GET_LIMIT).map((chunk) => this.batchGetChunk(chunk, projection)),
    );
    return results.flat();
  }

  /** Unconditional deletes, 25 to a request. */
  async batchDelete(keys: Key[]): Promise<void> {
    await Promise.all(chunks(keys, BATCH_WRITE_LIMIT).map((chunk) => this.batchDeleteChunk(chunk)));
  }

  /** Errors worth retrying later become StoreUnavailableError; the rest pass through. */
  async send<T>(call: () => Promise<T>): Promise<T> {
    try {
      return await call();
    } catch (error) {
      if (error instanceof Error && isUnavailable(error)) throw new StoreUnavailableError(error);
      throw error;
    }
  }

  private async unlessConditionFails(call: () => Promise<unknown>): Promise<boolean> {
    try {
      await this.send(call);
      return true;
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return false;
      throw error;
    }
  }

  /** BatchGetItem may leave keys unprocessed under load: those are asked again, with backoff. */
  private async batchGetChunk(keys: Key[], projection: Projection): Promise<Item[]> {
    const items: Item[] = [];
    let pending: Item[] = keys;
    for (let attempt = 0; attempt < UNPROCESSED_ATTEMPTS; attempt += 1) {
      if (attempt > 0) await backoff(attempt);
      const output = await this.send(() =>
        this.documents.send(
          new BatchGetCommand({
            RequestItems: { [this.tableName]: { Keys: pending, ConsistentRead: true, ...projection } },
          }),
        ),
      );
      items.push(...(output.Responses?.[this.tableName] ?? []));
      pending = output.UnprocessedKeys?.[this.tableName]?.Keys ?? [];
      if (pending.length === 0) return items;
    }
    throw new StoreUnavailableError(new Error('BatchGetItem left keys unprocessed'));
  }

  private async batchDeleteChunk(keys: Key[]): Promise<void> {
    let pending: Item[] = keys.map((key) => ({ DeleteRequest: { Key: key } }));
    for (let attempt = 0; attempt < UNPROCESSED_ATTEMPTS; attempt += 1) {
      if (attempt > 0) await backoff(attempt);
      const output = await this.send(() =>
        this.documents.send(new BatchWriteCommand({ RequestItems: { [this.tableName]: pending } })),
      );
      pending = output.UnprocessedItems?.[this.tableName] ?? [];
      if (pending.length === 0) return;
    }
    throw new StoreUnavailableError(new Error('BatchWriteItem left items unprocessed'));
  }
}

/** A condition expression with its placeholders, as the write commands take it. */
export interface Condition {
  ConditionExpression: string;
  ExpressionAttributeNames?: Record<string, string>;
  ExpressionAttributeValues?: Record<string, unknown>;
}

/** The attributes a read returns, with the placeholders of their names. */
export interface Projection {
  ProjectionExpression?: string;
  ExpressionAttributeNames?: Record<string, string>;
}

export const onlyIfAbsent: Condition = {
  ConditionExpression: 'attribute_not_exists(#pk)',
  ExpressionAttributeNames: { '#pk': PARTITION_KEY },
};

/** A consistent Query of a partition's items (whose sort key starts with `prefix`). */
function partitionQuery(tableName: string, partition: string, prefix?: string) {
  return {
    TableName: tableName,
    KeyConditionExpression: prefix === undefined ? '#pk = :pk' : '#pk = :pk AND begins_with(#sk, :prefix)',
    ExpressionAttributeNames: { '#pk': PARTITION_KEY, ...(prefix !== undefined && { '#sk': SORT_KEY }) },
    ExpressionAttributeValues: { ':pk': partition, ...(prefix !== undefined && { ':prefix': prefix }) },
    ConsistentRead: true,
  };
}

function chunks<T>(items: T[], size: number): T[][] {
  const result: T[][] = [];
  for (let start = 0; start < items.length; start += size) result.push(items.slice(start, start + size));
  return result;
}

function backoff(attempt: number): Promise<void> {
  return sleep(Math.random() * 25 * 2 ** attempt);
}

function isUnavailable(error: Error): boolean {
  // biome-ignore lint/suspicious/noExplicitAny: the classifiers take the SDK's loosely typed errors
  const sdkError = error as any;
  return isThrottlingError(sdkError) || isTransientError(sdkError) || isServerError(sdkError);
}
