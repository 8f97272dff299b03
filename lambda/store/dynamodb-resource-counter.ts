import { type Condition, type DynamoDbTable, type Key, onlyIfAbsent } from './dynamodb-table.js';

/** A count rebuilt by a refused claim at most this often (each rebuild reads the whole partition). */
export const RECOUNT_INTERVAL_MS = 60_000;

const NAMES = { '#count': 'count' };
// Each attempt follows a change of the counter by another request; past these, it counts as full.
const CLAIM_ATTEMPTS = 4;

/**
 * How many resources of one kind exist, against their quota: one item (`pk` = `sk` = the
 * counter's partition) whose `count` a creation raises with a conditional ADD before it writes
 * anything, and lowers again when the creation does not happen or the resource is deleted. No
 * transaction ties the count to the resources, so every step is ordered for a crash to leave the
 * count too high, never too low: raised before the resource is written, lowered only after it
 * is gone. A count left too high refuses creations early and is rebuilt from the items
 * themselves (a Query of their partition that counts) by a claim it refuses, at most once every
 * RECOUNT_INTERVAL_MS; a missing counter (a table from before quotas) is built the same way. A
 * rebuild misses only the creations in flight while it reads, so the resources never exceed the
 * quota by more than the creations running at that moment.
 */
export class DynamoDbResourceCounter {
  readonly key: Key;

  constructor(
    private readonly table: DynamoDbTable,
    private readonly partitions: { counter: string; items: string },
    readonly quota: number,
    private readonly clock: () => number = Date.now,
  ) {
    this.key = { pk: partitions.counter, sk: partitions.counter };
  }

  /** Counts `slots` more resources, unless that would pass the quota; false when it would. */
  async claim(slots: number): Promise<boolean> {
    if (slots === 0) return true;
    for (let attempt = 0; attempt < CLAIM_ATTEMPTS; attempt += 1) {
      if (await this.#add(slots)) return true;
      const current = await this.table.get(this.key);
      if (!current || this.clock() - Number(current.recounted_at) >= RECOUNT_INTERVAL_MS) {
        await this.#recount(current);
      } else if (Number(current.count) + slots > this.quota) {
        return false;
      }
      // Otherwise room was made since the ADD (a release, or a count just built): again.
    }
    return false;
  }

  /** Counts `slots` fewer resources (never below zero; a missing counter stays missing). */
  async release(slots: number): Promise<void> {
    if (slots === 0) return;
    await this.table.update({
      Key: this.key,
      UpdateExpression: 'ADD #count :change',
      ConditionExpression: '#count >= :held',
      ExpressionAttributeNames: NAMES,
      ExpressionAttributeValues: { ':change': -slots, ':held': slots },
    });
  }

  /** The ADD only while the count stays at most the quota; it fails on a missing counter. */
  async #add(slots: number): Promise<boolean> {
    const updated = await this.table.update({
      Key: this.key,
      UpdateExpression: 'ADD #count :slots',
      ConditionExpression: '#count <= :room',
      ExpressionAttributeNames: NAMES,
      ExpressionAttributeValues: { ':slots': slots, ':room': this.quota - slots },
    });
    return updated !== undefined;
  }

  /** The count of the items stored, unless the counter changed since `seen` was read. */
  async #recount(seen: Record<string, unknown> | undefined): Promise<void> {
    const count = await this.table.count(this.partitions.items);
    const unchanged: Condition = seen
      ? {
          ConditionExpression: '#count = :seen AND #recounted = :recounted',
          ExpressionAttributeNames: { ...NAMES, '#recounted': 'recounted_at' },
          ExpressionAttributeValues: { ':seen': seen.count, ':recounted': seen.recounted_at },
        }
      : onlyIfAbsent;
    await this.table.put({ ...this.key, count, recounted_at: this.clock() }, unchanged);
  }
}
