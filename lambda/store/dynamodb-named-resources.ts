import { DynamoDbResourceCounter } from './dynamodb-resource-counter.js';
import { type Condition, type DynamoDbTable, type Item, type Key, onlyIfAbsent } from './dynamodb-table.js';
import type { NamedRecord, NamedResourceStore, Reservation, StoredResource } from './named-resource-store.js';
import { PARTITION_KEY } from './table-definition.js';

/** The partitions of one kind of named resource: its items, its name locks and its counter. */
export interface NamedPartitions {
  item: string;
  name: string;
  count: string;
}

/** How many a deployment may hold, and how many a list reads at most (RESOURCE_LIMITS). */
export interface NamedResourceLimits {
  quota: number;
  listCeiling: number;
}

const RESERVE_ATTEMPTS = 5;
const NAMES = { '#version': 'version', '#deleting': 'deleting' };

/**
 * The DynamoDB adapter of a named resource (scopes, identity providers): items `pk` = kind,
 * `sk` = id, with `version`, `deleting`, `pending_name` and `copies_pending` beside the record;
 * name locks `pk` = kind's name partition, `sk` = the name, holding `id` (and `created`, the
 * record a create is about to store); their count against the quota in the counter's partition
 * (dynamodb-resource-counter.ts). No transactions: every step is one conditional write.
 */
export class DynamoDbNamedResources<T extends NamedRecord> implements NamedResourceStore<T> {
  readonly #counter: DynamoDbResourceCounter;

  constructor(
    private readonly table: DynamoDbTable,
    private readonly partitions: NamedPartitions,
    private readonly toRecord: (item: Item) => T,
    private readonly limits: NamedResourceLimits,
  ) {
    this.#counter = new DynamoDbResourceCounter(
      table,
      { counter: partitions.count, items: partitions.item },
      limits.quota,
    );
  }

  get quota(): number {
    return this.limits.quota;
  }

  itemKey(id: string): Key {
    return { pk: this.partitions.item, sk: id };
  }

  nameKey(name: string): Key {
    return { pk: this.partitions.name, sk: name };
  }

  async get(id: string): Promise<StoredResource<T> | undefined> {
    const item = await this.table.get(this.itemKey(id));
    return item ? this.toStored(item) : undefined;
  }

  async getMany(ids: readonly string[]): Promise<Map<string, StoredResource<T>>> {
    const items = await this.table.batchGet(ids.map((id) => this.itemKey(id)));
    return new Map(items.map((item) => [item.id as string, this.toStored(item)]));
  }

  async list(): Promise<StoredResource<T>[]> {
    const { listCeiling } = this.limits;
    const items = await this.table.queryAll(this.partitions.item, undefined, listCeiling + 1);
    if (items.length > listCeiling) {
      // Only a table filled before the quota existed: answering would pass Lambda's 6 MB.
      throw new Error(`${this.partitions.item} holds more than ${listCeiling} items: delete some to list them`);
    }
    return items.map((item) => this.toStored(item));
  }

  claimSlots(slots: number): Promise<boolean> {
    return this.#counter.claim(slots);
  }

  releaseSlots(slots: number): Promise<void> {
    return this.#counter.release(slots);
  }

  async reserveName(name: string, id: string, created?: T): Promise<Reservation<T>> {
    const lock = { ...this.nameKey(name), id, name, ...(created && { created }) };
    let condition: Condition = {
      ConditionExpression: 'attribute_not_exists(#pk) OR #id = :id',
      ExpressionAttributeNames: { '#pk': PARTITION_KEY, '#id': 'id' },
      ExpressionAttributeValues: { ':id': id },
    };
    for (let attempt = 0; attempt < RESERVE_ATTEMPTS; attempt += 1) {
      if (await this.table.put(lock, condition)) return { status: 'reserved' };
      const current = await this.table.get(this.nameKey(name));
      if (!current) continue;
      const holder = await this.holderOf(current);
      if (holder && isCurrentHolder(holder, name)) return { status: 'taken', holder };
      // A stale lock: taken over, unless someone else took it over first.
      condition = {
        ConditionExpression: '#id = :stale',
        ExpressionAttributeNames: { '#id': 'id' },
        ExpressionAttributeValues: { ':stale': current.id },
      };
    }
    throw new Error(`The name lock of ${name} kept changing`);
  }

  async forgetCreation(name: string, id: string): Promise<void> {
    await this.table.update({
      Key: this.nameKey(name),
      UpdateExpression: 'REMOVE #created',
      ...reservedFor(id, { '#created': 'created' }),
    });
  }

  async releaseName(name: string, id: string): Promise<void> {
    await this.table.delete(this.nameKey(name), reservedFor(id));
  }

  async create(record: T): Promise<'created' | 'exists'> {
    const item: Item = { ...this.itemKey(record.id), ...(record as Item), version: 1 };
    const created = await this.table.put(item, onlyIfAbsent);
    return created ? 'created' : 'exists';
  }

  async setPendingName(id: string, name: string, expectedVersion: number): Promise<boolean> {
    const item = await this.table.update({
      Key: this.itemKey(id),
      UpdateExpression: 'SET #pending = :name',
      ...versionCondition(expectedVersion, { '#pending': 'pending_name' }, { ':name': name }),
    });
    return item !== undefined;
  }

  async update(
    id: string,
    changes: Partial<Omit<T, 'id'>>,
    expectedVersion: number,
    { copiesPending, pendingName }: { copiesPending: boolean; pendingName?: string },
  ): Promise<StoredResource<T> | undefined> {
    const names: Record<string, string> = { '#pending': 'pending_name' };
    const values: Record<string, unknown> = { ':next': expectedVersion + 1 };
    if (pendingName !== undefined) values[':pending'] = pendingName;
    const assignments = ['#version = :next'];
    Object.entries(changes).forEach(([attribute, value], index) => {
      names[`#a${index}`] = attribute;
      values[`:a${index}`] = value;
      assignments.push(`#a${index} = :a${index}`);
    });
    if (copiesPending) {
      names['#copies'] = 'copies_pending';
      values[':true'] = true;
      assignments.push('#copies = :true');
    }
    const condition = versionCondition(expectedVersion, names, values);
    const item = await this.table.update({
      Key: this.itemKey(id),
      UpdateExpression: `SET ${assignments.join(', ')} REMOVE #pending`,
      ...condition,
      ...(pendingName !== undefined && {
        ConditionExpression: `${condition.ConditionExpression} AND #pending = :pending`,
      }),
    });
    return item ? this.toStored(item) : undefined;
  }

  async clearPendingName(id: string, name: string): Promise<void> {
    await this.table.update({
      Key: this.itemKey(id),
      UpdateExpression: 'REMOVE #pending',
      ConditionExpression: '#pending = :name',
      ExpressionAttributeNames: { '#pending': 'pending_name' },
      ExpressionAttributeValues: { ':name': name },
    });
  }

  async clearCopiesPending(id: string, version: number): Promise<void> {
    await this.table.update({
      Key: this.itemKey(id),
      UpdateExpression: 'REMOVE #copies',
      ...versionCondition(version, { '#copies': 'copies_pending' }, {}),
    });
  }

  async markDeleting(id: string, token: string): Promise<StoredResource<T> | undefined> {
    const item = await this.table.update({
      Key: this.itemKey(id),
      UpdateExpression: 'SET #deleting = if_not_exists(#deleting, :token)',
      ConditionExpression: 'attribute_exists(#pk)',
      ExpressionAttributeNames: { '#pk': PARTITION_KEY, '#deleting': 'deleting' },
      ExpressionAttributeValues: { ':token': token },
    });
    return item ? this.toStored(item) : undefined;
  }

  async unmarkDeleting(id: string, token: string): Promise<void> {
    await this.table.update({ Key: this.itemKey(id), UpdateExpression: 'REMOVE #deleting', ...whileDeleting(token) });
  }

  async delete(id: string, token: string): Promise<boolean> {
    return this.table.delete(this.itemKey(id), whileDeleting(token));
  }

  private toStored(item: Item): StoredResource<T> {
    return {
      record: this.toRecord(item),
      version: Number(item.version ?? 0),
      deleting: item.deleting as string | undefined,
      pendingName: item.pending_name as string | undefined,
      copiesPending: item.copies_pending === true,
    };
  }

  /** The resource a lock points at; a create's lock whose resource is missing is completed. */
  private async holderOf(lock: Item): Promise<StoredResource<T> | undefined> {
    const holder = await this.get(lock.id as string);
    if (holder || !lock.created) return holder;
    await this.create(lock.created as T);
    return this.get(lock.id as string);
  }
}

/** Whether `holder` still carries (or is renaming itself to) `name`, so that its lock is live. */
function isCurrentHolder<T extends NamedRecord>(holder: StoredResource<T>, name: string): boolean {
  return !holder.deleting && (holder.record.name === name || holder.pendingName === name);
}

/** At the version read (items from before versions have none: version 0), and no delete running. */
function versionCondition(
  expectedVersion: number,
  names: Record<string, string>,
  values: Record<string, unknown>,
): Condition {
  const version = expectedVersion === 0 ? 'attribute_not_exists(#version)' : '#version = :expected';
  const allValues = expectedVersion === 0 ? values : { ...values, ':expected': expectedVersion };
  return {
    ConditionExpression: `attribute_exists(#pk) AND ${version} AND attribute_not_exists(#deleting)`,
    ExpressionAttributeNames: { ...names, ...NAMES, '#pk': PARTITION_KEY },
    // DynamoDB refuses an empty map of values.
    ...(Object.keys(allValues).length > 0 && { ExpressionAttributeValues: allValues }),
  };
}

function reservedFor(id: string, names: Record<string, string> = {}): Condition {
  return {
    ConditionExpression: '#id = :id',
    ExpressionAttributeNames: { ...names, '#id': 'id' },
    ExpressionAttributeValues: { ':id': id },
  };
}

function whileDeleting(token: string): Condition {
  return {
    ConditionExpression: '#deleting = :token',
    ExpressionAttributeNames: { '#deleting': 'deleting' },
    ExpressionAttributeValues: { ':token': token },
  };
}
