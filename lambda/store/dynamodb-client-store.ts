import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import {
  BatchGetCommand,
  DeleteCommand,
  type DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import { isServerError, isThrottlingError, isTransientError } from '@smithy/core/retry';
import type { Client, IdentityProviderLink, ScopeLink, VersionedClient } from '../domain/client.js';
import { CLIENT_VIEW_KEYS } from '../domain/client-view.js';
import {
  type ClientAttributes,
  type ClientPage,
  type ClientStore,
  type PatchResult,
  StoreUnavailableError,
  type UpdateReads,
  type UpdateReferences,
} from './client-store.js';
import { ITEM_KINDS, PARTITION_KEY, SORT_KEY } from './table-definition.js';

type Item = Record<string, unknown>;
type Key = Record<typeof PARTITION_KEY | typeof SORT_KEY, string>;

const { client: CLIENT, identityProvider: IDENTITY_PROVIDER, scope: SCOPE, scopeName: SCOPE_NAME } = ITEM_KINDS;

/**
 * Item keys: `pk` = the kind, `sk` = the id (or name). One partition per kind lets the list of
 * clients be a strongly consistent Query in id order; DynamoDB splits a busy partition by sort
 * key, and an admin API writes little.
 */
export const itemKeys = {
  client: (id: string): Key => ({ pk: CLIENT, sk: id }),
  identityProvider: (id: string): Key => ({ pk: IDENTITY_PROVIDER, sk: id }),
  scope: (id: string): Key => ({ pk: SCOPE, sk: id }),
  /** Scope names are unique: this item is the lock that makes creation by name race-free. */
  scopeName: (name: string): Key => ({ pk: SCOPE_NAME, sk: name }),
};

/**
 * Every attribute of a client but its private key. DynamoDB still charges the read units of the
 * whole item; what this saves is the key's bytes on the wire and in the function's memory, where
 * a bug could leak it.
 */
const WITHOUT_PRIVATE_KEY = {
  ProjectionExpression: [...CLIENT_VIEW_KEYS, 'version'].map((_, index) => `#p${index}`).join(', '),
  ExpressionAttributeNames: Object.fromEntries(
    [...CLIENT_VIEW_KEYS, 'version'].map((attribute, index) => [`#p${index}`, attribute]),
  ),
};

const BATCH_GET_LIMIT = 100;
const UNPROCESSED_KEYS_ATTEMPTS = 5;

export class DynamoDbClientStore implements ClientStore {
  constructor(
    private readonly documents: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async readForUpdate(clientId: string, references: UpdateReferences): Promise<UpdateReads> {
    const keys = [
      itemKeys.client(clientId),
      ...references.identityProviderIds.map(itemKeys.identityProvider),
      ...references.scopeIds.map(itemKeys.scope),
      ...references.scopeNames.map(itemKeys.scopeName),
    ];
    const items = await this.batchGet(keys);
    const identityProviders = new Map<string, IdentityProviderLink>();
    const scopesById = new Map<string, ScopeLink>();
    const scopesByName = new Map<string, ScopeLink>();
    let client: VersionedClient | undefined;
    for (const item of items) {
      switch (item[PARTITION_KEY]) {
        case CLIENT:
          client = toVersionedClient(item);
          break;
        case IDENTITY_PROVIDER:
          identityProviders.set(item.id as string, toIdentityProvider(item));
          break;
        case SCOPE:
          scopesById.set(item.id as string, toScope(item));
          break;
        case SCOPE_NAME:
          scopesByName.set(item.name as string, toScope(item));
          break;
      }
    }
    return { client, lookups: { identityProviders, scopesById, scopesByName } };
  }

  async getClient(
    clientId: string,
    options: { withoutPrivateKey?: boolean } = {},
  ): Promise<VersionedClient | undefined> {
    const { Item } = await this.send(() =>
      this.documents.send(
        new GetCommand({
          TableName: this.tableName,
          Key: itemKeys.client(clientId),
          ConsistentRead: true,
          ...(options.withoutPrivateKey && WITHOUT_PRIVATE_KEY),
        }),
      ),
    );
    return Item ? toVersionedClient(Item) : undefined;
  }

  ensureScopes(names: string[]): Promise<ScopeLink[]> {
    return Promise.all(names.map((name) => this.ensureScope(name)));
  }

  async writePatch(
    clientId: string,
    patch: ClientAttributes,
    expectedVersion: number,
    base?: Client,
  ): Promise<PatchResult> {
    const update = setAttributes(patch, '#version = :next', {
      ':expected': expectedVersion,
      ':next': expectedVersion + 1,
    });
    try {
      const { Attributes } = await this.send(() =>
        this.documents.send(
          new UpdateCommand({
            TableName: this.tableName,
            Key: itemKeys.client(clientId),
            ...update,
            ConditionExpression: '#version = :expected',
            ReturnValues: base ? 'UPDATED_NEW' : 'ALL_NEW',
            ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
          }),
        ),
      );
      return { status: 'written', client: toVersionedClient({ ...base, ...(Attributes as Item) }) };
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
      return error.Item
        ? { status: 'version-mismatch', current: toVersionedClient(unmarshall(error.Item)) }
        : { status: 'version-mismatch' };
    }
  }

  async listClients({ limit, afterId }: { limit?: number; afterId?: string }): Promise<ClientPage> {
    const clients: VersionedClient[] = [];
    let startKey: Record<string, unknown> | undefined = afterId ? itemKeys.client(afterId) : undefined;
    do {
      const page = await this.send(() =>
        this.documents.send(
          new QueryCommand({
            TableName: this.tableName,
            KeyConditionExpression: '#pk = :kind',
            ProjectionExpression: WITHOUT_PRIVATE_KEY.ProjectionExpression,
            ExpressionAttributeNames: { ...WITHOUT_PRIVATE_KEY.ExpressionAttributeNames, '#pk': PARTITION_KEY },
            ExpressionAttributeValues: { ':kind': CLIENT },
            ConsistentRead: true,
            ExclusiveStartKey: startKey,
            ...(limit !== undefined && { Limit: limit - clients.length }),
          }),
        ),
      );
      clients.push(...(page.Items ?? []).map(toVersionedClient));
      startKey = page.LastEvaluatedKey;
    } while (startKey && limit !== undefined && clients.length < limit);
    // DynamoDB may hand back a last key for a page that happens to end the partition.
    return { clients, lastId: startKey ? (startKey[SORT_KEY] as string) : undefined };
  }

  async createClient(client: Client): Promise<{ status: 'created'; client: VersionedClient } | { status: 'exists' }> {
    const item = { ...itemKeys.client(client.id), ...client, version: 1 };
    try {
      await this.put(item, true);
      return { status: 'created', client: toVersionedClient(item) };
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return { status: 'exists' };
      throw error;
    }
  }

  async deleteClient(clientId: string, expectedVersion?: number): Promise<'deleted' | 'missing' | 'version-mismatch'> {
    try {
      await this.send(() =>
        this.documents.send(
          new DeleteCommand({
            TableName: this.tableName,
            Key: itemKeys.client(clientId),
            ConditionExpression:
              expectedVersion === undefined
                ? 'attribute_exists(#pk)'
                : 'attribute_exists(#pk) AND #version = :expected',
            ExpressionAttributeNames: {
              '#pk': PARTITION_KEY,
              ...(expectedVersion !== undefined && { '#version': 'version' }),
            },
            ...(expectedVersion !== undefined && { ExpressionAttributeValues: { ':expected': expectedVersion } }),
            ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
          }),
        ),
      );
      return 'deleted';
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
      // DynamoDB returns the item that failed the condition; dynalite needs a read to tell.
      const exists = error.Item !== undefined || (await this.getClient(clientId)) !== undefined;
      return exists ? 'version-mismatch' : 'missing';
    }
  }

  /** Creates or replaces a client and bumps its version: for seeding and imports. */
  async putClient(client: Client): Promise<VersionedClient> {
    const update = setAttributes(client, '#version = if_not_exists(#version, :zero) + :one', { ':zero': 0, ':one': 1 });
    const { Attributes } = await this.send(() =>
      this.documents.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: itemKeys.client(client.id),
          ...update,
          ReturnValues: 'ALL_NEW',
        }),
      ),
    );
    return toVersionedClient(Attributes as Item);
  }

  async putIdentityProvider(identityProvider: IdentityProviderLink): Promise<void> {
    await this.put({ ...itemKeys.identityProvider(identityProvider.id), ...identityProvider });
  }

  /** Writes a scope by id, unless its name already belongs to another scope. */
  async putScope(scope: ScopeLink): Promise<'written' | 'name-taken'> {
    try {
      await this.send(() =>
        this.documents.send(
          new PutCommand({
            TableName: this.tableName,
            Item: { ...itemKeys.scopeName(scope.name), ...scope },
            ConditionExpression: 'attribute_not_exists(#pk) OR #id = :id',
            ExpressionAttributeNames: { '#pk': PARTITION_KEY, '#id': 'id' },
            ExpressionAttributeValues: { ':id': scope.id },
          }),
        ),
      );
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return 'name-taken';
      throw error;
    }
    await this.put({ ...itemKeys.scope(scope.id), ...scope });
    return 'written';
  }

  /**
   * The id item is written first: if the request dies before the name item, what is left is a
   * scope nobody can name or has seen. The conditional put of the name item decides races; the
   * loser drops its id item and takes the winner's scope.
   */
  private async ensureScope(name: string): Promise<ScopeLink> {
    const scope: ScopeLink = { id: randomUUID(), name, public: false };
    await this.put({ ...itemKeys.scope(scope.id), ...scope }, true);
    try {
      await this.put({ ...itemKeys.scopeName(name), ...scope }, true);
      return scope;
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
      const [winner] = await Promise.all([
        this.send(() =>
          this.documents.send(
            new GetCommand({ TableName: this.tableName, Key: itemKeys.scopeName(name), ConsistentRead: true }),
          ),
        ),
        this.send(() =>
          this.documents.send(new DeleteCommand({ TableName: this.tableName, Key: itemKeys.scope(scope.id) })),
        ),
      ]);
      return toScope(winner.Item as Item);
    }
  }

  private async put(item: Item, onlyIfAbsent = false): Promise<void> {
    await this.send(() =>
      this.documents.send(
        new PutCommand({
          TableName: this.tableName,
          Item: item,
          ...(onlyIfAbsent && {
            ConditionExpression: 'attribute_not_exists(#pk)',
            ExpressionAttributeNames: { '#pk': PARTITION_KEY },
          }),
        }),
      ),
    );
  }

  private async batchGet(keys: Key[]): Promise<Item[]> {
    // DynamoDB refuses an empty key attribute: such a key names no item anyway.
    const unique = [
      ...new Map(keys.filter((key) => key.sk !== '').map((key) => [`${key.pk}\u0000${key.sk}`, key])).values(),
    ];
    const chunks: Key[][] = [];
    for (let start = 0; start < unique.length; start += BATCH_GET_LIMIT) {
      chunks.push(unique.slice(start, start + BATCH_GET_LIMIT));
    }
    const results = await Promise.all(chunks.map((chunk) => this.batchGetChunk(chunk)));
    return results.flat();
  }

  /** BatchGetItem may leave keys unprocessed under load: those are asked again, with backoff. */
  private async batchGetChunk(keys: Key[]): Promise<Item[]> {
    const items: Item[] = [];
    let pending: Item[] = keys;
    for (let attempt = 0; attempt < UNPROCESSED_KEYS_ATTEMPTS; attempt += 1) {
      if (attempt > 0) await sleep(Math.random() * 25 * 2 ** attempt);
      const output = await this.send(() =>
        this.documents.send(
          new BatchGetCommand({ RequestItems: { [this.tableName]: { Keys: pending, ConsistentRead: true } } }),
        ),
      );
      items.push(...(output.Responses?.[this.tableName] ?? []));
      pending = output.UnprocessedKeys?.[this.tableName]?.Keys ?? [];
      if (pending.length === 0) return items;
    }
    throw new StoreUnavailableError(new Error('BatchGetItem left keys unprocessed'));
  }

  /** Errors worth retrying later become StoreUnavailableError; the rest pass through. */
  private async send<T>(call: () => Promise<T>): Promise<T> {
    try {
      return await call();
    } catch (error) {
      if (error instanceof Error && isUnavailable(error)) throw new StoreUnavailableError(error);
      throw error;
    }
  }
}

/**
 * An update expression that sets each attribute (through placeholders, so any attribute name
 * is safe) and the version as `versionAssignment` says.
 */
function setAttributes(attributes: object, versionAssignment: string, versionValues: Record<string, number>) {
  const names: Record<string, string> = { '#version': 'version' };
  const values: Record<string, unknown> = { ...versionValues };
  const assignments = [versionAssignment];
  Object.entries(attributes).forEach(([attribute, value], index) => {
    names[`#a${index}`] = attribute;
    values[`:a${index}`] = value;
    assignments.push(`#a${index} = :a${index}`);
  });
  return {
    UpdateExpression: `SET ${assignments.join(', ')}`,
    ExpressionAttributeNames: names,
    ExpressionAttributeValues: values,
  };
}

function isUnavailable(error: Error): boolean {
  // biome-ignore lint/suspicious/noExplicitAny: the classifiers take the SDK's loosely typed errors
  const sdkError = error as any;
  return isThrottlingError(sdkError) || isTransientError(sdkError) || isServerError(sdkError);
}

function toVersionedClient(item: Item): VersionedClient {
  const { pk: _pk, sk: _sk, version, ...client } = item;
  return { client: client as unknown as Client, version: Number(version ?? 0) };
}

function toIdentityProvider(item: Item): IdentityProviderLink {
  return { id: item.id as string, name: (item.name as string | undefined) ?? null };
}

function toScope(item: Item): ScopeLink {
  return { id: item.id as string, name: item.name as string, public: item.public === true };
}
