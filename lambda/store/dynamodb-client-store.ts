import { randomUUID } from 'node:crypto';
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { type DynamoDBDocumentClient, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import type { Client, IdentityProviderLink, ScopeLink, VersionedClient } from '../domain/client.js';
import type { CopyKind } from '../domain/client-copies.js';
import { CLIENT_VIEW_KEYS } from '../domain/client-view.js';
import { type HistoryEntry, historyEntry } from '../domain/history-entry.js';
import type { IdentityProvider } from '../domain/identity-provider.js';
import { type Scope, scopeLink } from '../domain/scope.js';
import type { UpdateLookups } from '../domain/update-plan.js';
import type {
  ClientAttributes,
  ClientLink,
  ClientPage,
  ClientReads,
  ClientStore,
  DeleteResult,
  EnsuredScopes,
  LinkCondition,
  LinkPut,
  PatchResult,
  RecordedChange,
  StoredClient,
  UpdateReads,
  UpdateReferences,
} from './client-store.js';
import { DynamoDbIdentityProviderStore, toIdentityProvider } from './dynamodb-identity-provider-store.js';
import { DynamoDbLinks } from './dynamodb-links.js';
import type { DynamoDbNamedResources, NamedResourceLimits } from './dynamodb-named-resources.js';
import { DynamoDbScopeStore, toScope } from './dynamodb-scope-store.js';
import { DynamoDbTable, type Item, type Projection } from './dynamodb-table.js';
import {
  ALL_HISTORY_SLOTS,
  creatableCondition,
  DEFAULT_HISTORY_CAPACITY,
  DEFAULT_HISTORY_RETENTION_DAYS,
  DELETED_AT,
  HISTORY_SLOT_PREFIX,
  historyEntryAttributes,
  historyEntryUpdate,
  historyOf,
  isExpired,
  isTombstone,
  leftoverSlots,
  maxRingBytes,
  tombstoneUpdate,
  type UpdateFragment,
  updateExpression,
} from './history-ring.js';
import { itemKeys } from './item-keys.js';
import { EXPIRY_ATTRIBUTE, ITEM_KINDS, PARTITION_KEY, SORT_KEY } from './table-definition.js';

export { itemKeys } from './item-keys.js';

const VERSION = 'version';
/** Every attribute a client item holds for the client itself: what it shows, and its private key. */
const CLIENT_ATTRIBUTES = [...CLIENT_VIEW_KEYS, 'private_key'] as const;
/** What tells a tombstone, and whether its retention is over. */
const TOMBSTONE_MARKS: readonly string[] = [DELETED_AT, EXPIRY_ATTRIBUTE];

function projection(attributes: readonly string[]): Required<Projection> {
  return {
    ProjectionExpression: attributes.map((_, index) => `#p${index}`).join(', '),
    ExpressionAttributeNames: Object.fromEntries(attributes.map((attribute, index) => [`#p${index}`, attribute])),
  };
}

/*
 * What each read asks for. DynamoDB charges the read units of the whole item whatever the
 * projection; what a projection saves is bytes on the wire and in the function's memory: the
 * history (up to the ring's size) wherever it is not shown, and the private key wherever it is
 * not needed, where a bug could leak it.
 */
/** A client for an answer or a change of other fields: no private key, no history. */
const WITHOUT_PRIVATE_KEY = projection([...CLIENT_VIEW_KEYS, VERSION, ...TOMBSTONE_MARKS]);
/** A client for a change whose entry fingerprints the private key (keys, delete): no history. */
const WITHOUT_HISTORY = projection([...CLIENT_ATTRIBUTES, VERSION, ...TOMBSTONE_MARKS]);
/** Clients read by id in a batch, which the keys tell apart. */
const BATCHED = projection([PARTITION_KEY, SORT_KEY, ...CLIENT_VIEW_KEYS, VERSION, ...TOMBSTONE_MARKS]);
/** The history only, never the client's secrets. */
const HISTORY = projection([VERSION, ...TOMBSTONE_MARKS, ...ALL_HISTORY_SLOTS]);
/** A list page: tombstones are filtered out, so no marks are read. */
const LISTED = projection([...CLIENT_VIEW_KEYS, VERSION]);
/** What the update's read uses of a scope, a scope's name lock or an identity provider. */
const NAMED_RESOURCE_ATTRIBUTES = ['id', 'name', 'label', 'public', 'deleting'];

/**
 * The update's one read: the client with its private key (whose fingerprint the entry records
 * when it changes), its version and marks, and only the history slots past the capacity (which
 * the write clears); beside it, the scopes and identity providers it names, whose attributes
 * one projection serves as well. The ring's other slots, most of a busy client's item, are
 * neither sent nor decoded: they are only ever overwritten. This holds because a client item
 * keeps nothing but CLIENT_ATTRIBUTES, the keys, the version, the marks and the ring (every
 * write goes through setAttributes, the create's item or the tombstone): the size check sees
 * all of the client this way.
 */
export function updateReadProjection(capacity: number): Required<Projection> {
  return projection([
    PARTITION_KEY,
    SORT_KEY,
    ...new Set([...CLIENT_ATTRIBUTES, ...NAMED_RESOURCE_ATTRIBUTES]),
    VERSION,
    ...TOMBSTONE_MARKS,
    ...ALL_HISTORY_SLOTS.slice(capacity),
  ]);
}

export interface ClientStoreSettings {
  /** The entries of history each client keeps (HISTORY_CAPACITY; default 50). */
  historyCapacity?: number;
  /** The days a deleted client's history stays readable (HISTORY_RETENTION_DAYS; default 365). */
  historyRetentionDays?: number;
  /** The time entries and tombstones carry. */
  now?: () => Date;
  /** The scopes' quota: RESOURCE_LIMITS unless a test sets a smaller one. */
  scopeLimits?: NamedResourceLimits;
}

export class DynamoDbClientStore implements ClientStore {
  readonly historyBytes: number;
  private readonly table: DynamoDbTable;
  private readonly links: DynamoDbLinks;
  private readonly scopes: DynamoDbNamedResources<Scope>;
  private readonly identityProviders: DynamoDbNamedResources<IdentityProvider>;
  private readonly historyCapacity: number;
  private readonly updateRead: Required<Projection>;
  private readonly retentionDays: number;
  private readonly now: () => Date;

  constructor(documents: DynamoDBDocumentClient, tableName: string, settings: ClientStoreSettings = {}) {
    this.table = new DynamoDbTable(documents, tableName);
    this.links = new DynamoDbLinks(this.table);
    this.scopes = new DynamoDbScopeStore(this.table, undefined, settings.scopeLimits);
    this.identityProviders = new DynamoDbIdentityProviderStore(this.table);
    this.historyCapacity = settings.historyCapacity ?? DEFAULT_HISTORY_CAPACITY;
    this.retentionDays = settings.historyRetentionDays ?? DEFAULT_HISTORY_RETENTION_DAYS;
    this.now = settings.now ?? (() => new Date());
    this.historyBytes = maxRingBytes(this.historyCapacity);
    this.updateRead = updateReadProjection(this.historyCapacity);
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
    const items = await this.table.batchGet(keys, this.updateRead);
    const client = items.find((item) => item.pk === ITEM_KINDS.client);
    return {
      client: client && !isTombstone(client) ? toStoredClient(client, this.historyCapacity) : undefined,
      heldByDeleted: client !== undefined && isTombstone(client) && !isExpired(client, this.now()),
      lookups: toLookups(items),
    };
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
    const item = await this.table.get(
      itemKeys.client(clientId),
      options.withoutPrivateKey ? WITHOUT_PRIVATE_KEY : WITHOUT_HISTORY,
    );
    return item && !isTombstone(item) ? toVersionedClient(item) : undefined;
  }

  async getClients(clientIds: readonly string[]): Promise<ClientReads> {
    const items = await this.table.batchGet(clientIds.map(itemKeys.client), BATCHED);
    const reads: ClientReads = { clients: new Map(), deleted: new Map() };
    const now = this.now();
    for (const item of items) {
      const id = item[SORT_KEY] as string;
      if (!isTombstone(item)) reads.clients.set(id, toVersionedClient(item));
      else if (!isExpired(item, now)) reads.deleted.set(id, Number(item[VERSION]));
    }
    return reads;
  }

  async getHistory(clientId: string): Promise<HistoryEntry[] | undefined> {
    const item = await this.table.get(itemKeys.client(clientId), HISTORY);
    return item && !isExpired(item, this.now()) ? historyOf(item, this.historyCapacity) : undefined;
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

  async writePatch(current: StoredClient, patch: ClientAttributes, change: RecordedChange): Promise<PatchResult> {
    const { client } = current;
    if ('private_key' in patch && client.private_key === undefined) {
      // Its entry would show the key as new: a change of keys needs the client read with its key.
      throw new Error('A change of the private key needs the client read with its private key');
    }
    const version = current.version + 1;
    const entry = this.entry(change, version, client, { ...client, ...patch }, { patch });
    try {
      const { Attributes } = await this.table.send(() =>
        this.documents.send(
          new UpdateCommand({
            TableName: this.tableName,
            Key: itemKeys.client(client.id),
            ...updateExpression(
              setAttributes(patch, version),
              historyEntryUpdate(entry, { capacity: this.historyCapacity, leftoverSlots: current.leftoverSlots }),
              liveAtVersion(current.version),
            ),
            ConditionExpression: LIVE_AT_VERSION,
            // What the write set, not the whole item and its history: `current` has the rest.
            ReturnValues: 'UPDATED_NEW',
            ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
          }),
        ),
      );
      return { status: 'written', client: { client: { ...client, ...clientAttributes(Attributes ?? {}) }, version } };
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
      // DynamoDB returns the item that failed the condition (none when there is no item, and
      // never on dynalite); a tombstone is no client to write again.
      const stored = error.Item ? unmarshall(error.Item) : undefined;
      return stored && !isTombstone(stored)
        ? { status: 'version-mismatch', current: toStoredClient(stored, this.historyCapacity) }
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
            // Tombstones are read (and charged) but not returned: a page may then hold fewer
            // clients than asked for, and the loop asks for the rest.
            FilterExpression: 'attribute_not_exists(#deletedAt)',
            ProjectionExpression: LISTED.ProjectionExpression,
            ExpressionAttributeNames: {
              ...LISTED.ExpressionAttributeNames,
              '#pk': PARTITION_KEY,
              '#deletedAt': DELETED_AT,
            },
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

  async createClient(
    client: Client,
    change: RecordedChange,
  ): Promise<{ status: 'created'; client: VersionedClient } | { status: 'exists' }> {
    const now = this.now();
    const entry = this.entry(change, 1, null, client, { at: now });
    const item = {
      ...itemKeys.client(client.id),
      ...client,
      [VERSION]: 1,
      ...historyEntryAttributes(entry, this.historyCapacity),
    };
    // Replaces nothing but a tombstone whose retention is over: the id starts again at version 1.
    return (await this.table.put(item, creatableCondition(now)))
      ? { status: 'created', client: { client, version: 1 } }
      : { status: 'exists' };
  }

  async deleteClient(current: VersionedClient, change: RecordedChange): Promise<DeleteResult> {
    const now = this.now();
    const version = current.version + 1;
    const entry = this.entry(change, version, current.client, null, { at: now });
    // Every attribute of the client goes, whether or not this item has it (REMOVE of a missing
    // attribute does nothing): secrets included, whatever the read left out.
    const clientFields = Object.fromEntries(CLIENT_ATTRIBUTES.map((attribute) => [attribute, true]));
    try {
      await this.table.send(() =>
        this.documents.send(
          new UpdateCommand({
            TableName: this.tableName,
            Key: itemKeys.client(current.client.id),
            ...updateExpression(
              setAttributes({}, version),
              historyEntryUpdate(entry, { capacity: this.historyCapacity }),
              tombstoneUpdate({ stored: clientFields, deletedAt: now, retentionDays: this.retentionDays }),
              liveAtVersion(current.version),
            ),
            ConditionExpression: LIVE_AT_VERSION,
          }),
        ),
      );
      return { status: 'deleted', client: { client: current.client, version } };
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
      return { status: 'version-mismatch' };
    }
  }

  /** Creates or overwrites a client as given, through the same writes as every other change. */
  async putClient(client: Client, change: RecordedChange): Promise<VersionedClient> {
    const { id, ...attributes } = client;
    for (let attempt = 1; attempt <= PUT_ATTEMPTS; attempt += 1) {
      const current = await this.getClient(id);
      const result = current
        ? await this.writePatch(current, attributes, change)
        : await this.createClient(client, change);
      if (result.status === 'written' || result.status === 'created') return result.client;
    }
    throw new Error(`Client ${id} kept changing, or its id is held by a deleted client`);
  }

  /** Writes an identity provider by id with its name lock, for benchmarks and tests. */
  async putIdentityProvider(identityProvider: IdentityProviderLink): Promise<void> {
    await this.putNamed(this.identityProviders, { id: identityProvider.id, name: identityProvider.name ?? '' });
  }

  /** Writes a scope by id, unless its name already belongs to another scope. */
  putScope(scope: ScopeLink): Promise<'written' | 'name-taken'> {
    return this.putNamed(this.scopes, { ...scope, label: null });
  }

  putLinks(clientId: string, targets: Record<CopyKind, string[]>, link: LinkPut): Promise<void> {
    return this.links.put(clientId, targets, link);
  }

  linksTo(kind: CopyKind, targetId: string): Promise<ClientLink[]> {
    return this.links.linksTo(kind, targetId);
  }

  deleteLinks(links: Pick<ClientLink, 'kind' | 'targetId' | 'clientId'>[], condition?: LinkCondition): Promise<void> {
    return this.links.delete(links, condition);
  }

  /**
   * The entry of a write that takes the client from `before` to `after` at `version`; `patch`,
   * when `after` is `before` with it applied.
   */
  private entry(
    change: RecordedChange,
    version: number,
    before: Client | null,
    after: Client | null,
    { at = this.now(), patch }: { at?: Date; patch?: ClientAttributes } = {},
  ): HistoryEntry {
    const { actor, requestId, sourceIp } = change.origin;
    const clientId = (after ?? before)?.id as string;
    return historyEntry({
      clientId,
      action: change.action,
      version,
      at,
      actor,
      requestId,
      sourceIp,
      before,
      after,
      patch,
    });
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

const PUT_ATTEMPTS = 5;

/** The SET of each attribute (through placeholders, so any attribute name is safe) and of the version. */
function setAttributes(attributes: object, version: number): UpdateFragment {
  const names: Record<string, string> = { '#version': VERSION };
  const values: Record<string, unknown> = { ':next': version };
  const set = ['#version = :next'];
  Object.entries(attributes).forEach(([attribute, value], index) => {
    names[`#a${index}`] = attribute;
    values[`:a${index}`] = value;
    set.push(`#a${index} = :a${index}`);
  });
  return { set, remove: [], names, values };
}

/** Every client write's condition: the client is still at the version read, and not deleted. */
const LIVE_AT_VERSION = '#version = :expected AND attribute_not_exists(#deletedAt)';

function liveAtVersion(expected: number): UpdateFragment {
  return {
    set: [],
    remove: [],
    names: { '#version': VERSION, '#deletedAt': DELETED_AT },
    values: { ':expected': expected },
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
  return { client: clientAttributes(item) as Client, version: Number(item[VERSION] ?? 0) };
}

/** A client read with its whole item: with the history slots its next write clears. */
function toStoredClient(item: Item, capacity: number): StoredClient {
  return { ...toVersionedClient(item), leftoverSlots: leftoverSlots(item, capacity) };
}

/** The client's own attributes of an item: without keys, version, history and tombstone marks. */
function clientAttributes(item: Item): Partial<Client> {
  // One pass without intermediate arrays: an update's item holds its whole history beside the client.
  const attributes: Record<string, unknown> = {};
  // Own keys only: a stored attribute named `__proto__` becomes the prototype of what unmarshall builds.
  for (const attribute of Object.keys(item)) {
    if (NOT_CLIENT_ATTRIBUTES.has(attribute) || attribute.startsWith(HISTORY_SLOT_PREFIX)) continue;
    attributes[attribute] = item[attribute];
  }
  return attributes as Partial<Client>;
}
const NOT_CLIENT_ATTRIBUTES: ReadonlySet<string> = new Set([PARTITION_KEY, SORT_KEY, VERSION, ...TOMBSTONE_MARKS]);
