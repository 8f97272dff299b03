import { randomUUID } from 'node:crypto';
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { DeleteCommand, type DynamoDBDocumentClient, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import type { Client, IdentityProviderLink, ScopeLink, VersionedClient } from '../domain/client.js';
import type { CopyKind } from '../domain/client-copies.js';
import { CLIENT_VIEW_KEYS } from '../domain/client-view.js';
import type { IdentityProvider } from '../domain/identity-provider.js';
import { type Scope, scopeLink } from '../domain/scope.js';
import type { UpdateLookups } from '../domain/update-plan.js';
import type {
  ClientAttributes,
  ClientLink,
  ClientPage,
  ClientStore,
  DeleteResult,
  EnsuredScopes,
  LinkCondition,
  PatchResult,
  UpdateReads,
  UpdateReferences,
} from './client-store.js';
import { DynamoDbIdentityProviderStore, toIdentityProvider } from './dynamodb-identity-provider-store.js';
import { DynamoDbLinks } from './dynamodb-links.js';
import type { DynamoDbNamedResources, NamedResourceLimits } from './dynamodb-named-resources.js';
import { DynamoDbScopeStore, toScope } from './dynamodb-scope-store.js';
import { DynamoDbTable, type Item, onlyIfAbsent } from './dynamodb-table.js';
import { itemKeys } from './item-keys.js';
import { ITEM_KINDS, PARTITION_KEY, SORT_KEY } from './table-definition.js';

export { itemKeys } from './item-keys.js';

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

export class DynamoDbClientStore implements ClientStore {
  private readonly table: DynamoDbTable;
  private readonly links: DynamoDbLinks;
  private readonly scopes: DynamoDbNamedResources<Scope>;
  private readonly identityProviders: DynamoDbNamedResources<IdentityProvider>;

  /** `scopeLimits`: the scopes' quota, RESOURCE_LIMITS unless a test sets a smaller one. */
  constructor(documents: DynamoDBDocumentClient, tableName: string, scopeLimits?: NamedResourceLimits) {
    this.table = new DynamoDbTable(documents, tableName);
    this.links = new DynamoDbLinks(this.table);
    this.scopes = new DynamoDbScopeStore(this.table, undefined, scopeLimits);
    this.identityProviders = new DynamoDbIdentityProviderStore(this.table);
  }

  private get documents(): DynamoDBDocumentClient {
    return this.table.documents;
  }

  private get tableName(): string {
    return this.table.tableName;
  }

  async readForUpdate(clientId: string, references: UpdateReferences): Promise<UpdateReads> {
    const keys = [
      itemKeys.client(clientId),
      ...references.identityProviderIds.map(itemKeys.identityProvider),
      ...references.scopeIds.map(itemKeys.scope),
      ...references.scopeNames.map(itemKeys.scopeName),
    ];
    const items = await this.table.batchGet(keys);
    const client = items.find((item) => item.pk === ITEM_KINDS.client);
    return { client: client ? toVersionedClient(client) : undefined, lookups: toLookups(items) };
  }

  async readLookups(references: UpdateReferences, scopeIdsOfNames: readonly string[]): Promise<UpdateLookups> {
    const keys = [
      ...references.identityProviderIds.map(itemKeys.identityProvider),
      ...[...references.scopeIds, ...scopeIdsOfNames].map(itemKeys.scope),
      ...references.scopeNames.map(itemKeys.scopeName),
    ];
    const items = await this.table.batchGet(keys);
    const scopeItems = new Map(items.filter((item) => item.pk === ITEM_KINDS.scope).map((item) => [item.id, item]));
    // A name counts when its lock points at a scope read here that carries it (or is being
    // renamed to it); a lock that moved elsewhere leaves the name unresolved, to be resolved again.
    const liveLocks = items.filter((item) => {
      if (item.pk !== ITEM_KINDS.scopeName) return false;
      const scope = scopeItems.get(item.id);
      return scope !== undefined && !scope.deleting && (scope.name === item.name || scope.pending_name === item.name);
    });
    const lookups = toLookups(items.filter((item) => item.pk !== ITEM_KINDS.scopeName));
    const scopesByName = new Map(
      liveLocks.flatMap((lock) => {
        const scope = lookups.scopesById.get(lock.id as string);
        return scope ? [[lock.name as string, scope] as const] : [];
      }),
    );
    return { ...lookups, scopesByName };
  }

  async getClient(
    clientId: string,
    options: { withoutPrivateKey?: boolean } = {},
  ): Promise<VersionedClient | undefined> {
    const item = await this.table.get(itemKeys.client(clientId), options.withoutPrivateKey ? WITHOUT_PRIVATE_KEY : {});
    return item ? toVersionedClient(item) : undefined;
  }

  async getClients(clientIds: readonly string[]): Promise<Map<string, VersionedClient>> {
    const items = await this.table.batchGet(clientIds.map(itemKeys.client));
    return new Map(items.map((item) => [item.id as string, toVersionedClient(item)]));
  }

  /**
   * The scope of each name, created (public: false) where none exists; safe under races. The
   * quota's slots are claimed for every name at once, before any lock; a name another request
   * created meanwhile gives its slot back.
   */
  async ensureScopes(names: string[]): Promise<EnsuredScopes> {
    if (!(await this.scopes.claimSlots(names.length))) return { status: 'limit-reached', quota: this.scopes.quota };
    const ensured = await Promise.all(names.map((name) => this.ensureScope(name)));
    await this.scopes.releaseSlots(ensured.filter(({ created }) => !created).length);
    return { status: 'ensured', scopes: ensured.map(({ scope }) => scope) };
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
      const { Attributes } = await this.table.send(() =>
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
      const page = await this.table.send(() =>
        this.documents.send(
          new QueryCommand({
            TableName: this.tableName,
            KeyConditionExpression: '#pk = :kind',
            ProjectionExpression: WITHOUT_PRIVATE_KEY.ProjectionExpression,
            ExpressionAttributeNames: { ...WITHOUT_PRIVATE_KEY.ExpressionAttributeNames, '#pk': PARTITION_KEY },
            ExpressionAttributeValues: { ':kind': ITEM_KINDS.client },
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
    return (await this.table.put(item, onlyIfAbsent))
      ? { status: 'created', client: toVersionedClient(item) }
      : { status: 'exists' };
  }

  async deleteClient(clientId: string, expectedVersion?: number): Promise<DeleteResult> {
    try {
      const { Attributes } = await this.table.send(() =>
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
            ReturnValues: 'ALL_OLD',
            ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
          }),
        ),
      );
      return { status: 'deleted', client: toVersionedClient(Attributes as Item) };
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
      // DynamoDB returns the item that failed the condition; dynalite needs a read to tell.
      const exists = error.Item !== undefined || (await this.getClient(clientId)) !== undefined;
      return { status: exists ? 'version-mismatch' : 'missing' };
    }
  }

  /** Creates or replaces a client and bumps its version: for seeding and imports. */
  async putClient(client: Client): Promise<VersionedClient> {
    const update = setAttributes(client, '#version = if_not_exists(#version, :zero) + :one', { ':zero': 0, ':one': 1 });
    const { Attributes } = await this.table.send(() =>
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

  /** Writes an identity provider by id with its name lock, for benchmarks and tests. */
  async putIdentityProvider(identityProvider: IdentityProviderLink): Promise<void> {
    await this.putNamed(this.identityProviders, { id: identityProvider.id, name: identityProvider.name ?? '' });
  }

  /** Writes a scope by id, unless its name already belongs to another scope. */
  putScope(scope: ScopeLink): Promise<'written' | 'name-taken'> {
    return this.putNamed(this.scopes, { ...scope, label: null });
  }

  putLinks(
    clientId: string,
    targets: Record<CopyKind, string[]>,
    link: Pick<ClientLink, 'clientVersion' | 'attempt' | 'linkedAt'>,
  ): Promise<void> {
    return this.links.put(clientId, targets, link);
  }

  linksTo(kind: CopyKind, targetId: string): Promise<ClientLink[]> {
    return this.links.linksTo(kind, targetId);
  }

  deleteLinks(links: Pick<ClientLink, 'kind' | 'targetId' | 'clientId'>[], condition?: LinkCondition): Promise<void> {
    return this.links.delete(links, condition);
  }

  private async putNamed<T extends { id: string; name: string }>(
    resources: DynamoDbNamedResources<T>,
    record: T,
  ): Promise<'written' | 'name-taken'> {
    if ((await resources.reserveName(record.name, record.id)).status === 'taken') return 'name-taken';
    await this.table.put({ ...resources.itemKey(record.id), ...(record as Item), version: 1 });
    return 'written';
  }

  /**
   * The name lock is written first, holding the scope to create: whoever finds a lock whose
   * scope is missing completes it from there, so a request that dies between the two writes
   * leaves nothing half made. The conditional write of the lock decides races.
   */
  private async ensureScope(name: string): Promise<{ scope: ScopeLink; created: boolean }> {
    const scope: Scope = { id: randomUUID(), name, label: null, public: false };
    const reservation = await this.scopes.reserveName(name, scope.id, scope);
    if (reservation.status === 'taken') return { scope: scopeLink(reservation.holder.record), created: false };
    await this.scopes.create(scope);
    return { scope: scopeLink(scope), created: true };
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

/** The identity providers, scopes and scope names read, without those being deleted. */
function toLookups(items: Item[]): UpdateLookups {
  const live = items.filter((item) => !item.deleting);
  const of = (kind: string) => live.filter((item) => item.pk === kind);
  return {
    identityProviders: new Map(
      of(ITEM_KINDS.identityProvider).map((item) => [item.id as string, toIdentityProvider(item)]),
    ),
    scopesById: new Map(of(ITEM_KINDS.scope).map((item) => [item.id as string, scopeLink(toScope(item))])),
    scopesByName: new Map(of(ITEM_KINDS.scopeName).map((item) => [item.name as string, scopeLink(toScope(item))])),
  };
}

function toVersionedClient(item: Item): VersionedClient {
  const { pk: _pk, sk: _sk, version, ...client } = item;
  return { client: client as unknown as Client, version: Number(version ?? 0) };
}
