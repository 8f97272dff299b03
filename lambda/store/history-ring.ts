import { HISTORY_ENTRY_LIMITS, type HistoryEntry, isHistoryEntry } from '../domain/history-entry.js';
import { EXPIRY_ATTRIBUTE, PARTITION_KEY, SORT_KEY } from './table-definition.js';

/**
 * A client's history lives in the client's own item, so that the entry of a write goes into the
 * same conditional UpdateItem (or PutItem) as the change: atomic on DynamoDB, DynamoDB Local and
 * dynalite, with no transaction and no stream. The item keeps the last `capacity` entries (a
 * setting, default 50) in top-level attributes `history_0` … `history_<capacity - 1>`: the entry
 * of version v in `history_<v mod capacity>`, overwriting the entry of version v - capacity.
 *
 * Top-level attributes, because the alternatives fail on DynamoDB and both local engines alike:
 * a nested `SET history.#slot = :entry` is refused on an item without a `history` map ("The
 * document path provided in the update expression is invalid for update"), creating the map in
 * the same expression overlaps that path, and a list kept short with `list_append` plus `REMOVE
 * history[0]` is refused as overlapping paths too. A top-level SET works on any item, including
 * items written before the history existed.
 */
export const HISTORY_SLOT_PREFIX = 'history_';
export const DEFAULT_HISTORY_CAPACITY = 50;
/** Past this, a full ring of maximal entries (257 KB) leaves too little of the 400 KB item. */
export const MAX_HISTORY_CAPACITY = 100;
/** How long a deleted client's history stays readable, by default. */
export const DEFAULT_HISTORY_RETENTION_DAYS = 365;
const MAX_HISTORY_RETENTION_DAYS = 36_500;

/** A deleted client's tombstone: ISO 8601 time of the delete. */
export const DELETED_AT = 'deleted_at';
const VERSION = 'version';
const KEPT_BY_TOMBSTONES = new Set([PARTITION_KEY, SORT_KEY, VERSION, DELETED_AT, EXPIRY_ATTRIBUTE]);

type Item = Readonly<Record<string, unknown>>;

/** Clauses to merge into one UpdateItem; placeholders are prefixed so as not to meet others. */
export interface UpdateFragment {
  set: string[];
  remove: string[];
  names: Record<string, string>;
  values: Record<string, unknown>;
}

/** The history capacity from its setting: a whole number from 1 to MAX_HISTORY_CAPACITY. */
export function historyCapacity(setting: string | undefined): number {
  if (setting === undefined || setting === '') return DEFAULT_HISTORY_CAPACITY;
  const capacity = Number(setting);
  if (!Number.isInteger(capacity) || capacity < 1 || capacity > MAX_HISTORY_CAPACITY) {
    throw new Error(`The history capacity must be a whole number from 1 to ${MAX_HISTORY_CAPACITY}, not ${setting}`);
  }
  return capacity;
}

/** The retention of deleted clients' histories from its setting: a whole number of days, at least 1. */
export function historyRetentionDays(setting: string | undefined): number {
  if (setting === undefined || setting === '') return DEFAULT_HISTORY_RETENTION_DAYS;
  const days = Number(setting);
  if (!Number.isInteger(days) || days < 1 || days > MAX_HISTORY_RETENTION_DAYS) {
    throw new Error(
      `The history retention must be a whole number of days from 1 to ${MAX_HISTORY_RETENTION_DAYS}, not ${setting}`,
    );
  }
  return days;
}

/**
 * The most a full ring takes in an item: what the item-size checks keep free beside the client,
 * so that every later write of the client still has room for its entry.
 */
export function maxRingBytes(capacity: number): number {
  return historyCost({ capacity, clientBytes: 0 }).ringBytes;
}

/** The slots a ring of any capacity may use: what a read of the whole history asks for. */
export const ALL_HISTORY_SLOTS: readonly string[] = Array.from(
  { length: MAX_HISTORY_CAPACITY },
  (_, index) => `${HISTORY_SLOT_PREFIX}${index}`,
);

export function historySlot(version: number, capacity: number): string {
  return `${HISTORY_SLOT_PREFIX}${version % capacity}`;
}

/**
 * What an UpdateItem adds to record `entry`, whose version is the one the write sets: the SET
 * of its slot, and the REMOVE of the stored item's `leftoverSlots` (past a lowered capacity and
 * out of its window), so that the ring shrinks to the capacity.
 */
export function historyEntryUpdate(
  entry: HistoryEntry,
  { capacity, leftoverSlots = [] }: { capacity: number; leftoverSlots?: readonly number[] },
): UpdateFragment {
  const names: Record<string, string> = { '#historySlot': historySlot(entry.version, capacity) };
  const remove = leftoverSlots.map((index, position) => {
    names[`#historyLeftover${position}`] = `${HISTORY_SLOT_PREFIX}${index}`;
    return `#historyLeftover${position}`;
  });
  return { set: ['#historySlot = :historyEntry'], remove, names, values: { ':historyEntry': entry } };
}

/** The attributes a create's PutItem adds for its entry. */
export function historyEntryAttributes(entry: HistoryEntry, capacity: number): Record<string, HistoryEntry> {
  return { [historySlot(entry.version, capacity)]: entry };
}

/**
 * A delete that keeps the history readable: the UpdateItem removes every attribute of the
 * stored client (secret and private key included) but the keys, the version and the history,
 * and marks the item deleted until `retentionDays` from now, when the table's TTL removes it.
 * Merge it with historyEntryUpdate for the `deleted` entry and the version condition.
 */
export function tombstoneUpdate({
  stored,
  deletedAt,
  retentionDays,
}: {
  stored: Item;
  deletedAt: Date;
  retentionDays: number;
}): UpdateFragment {
  const names: Record<string, string> = { '#deletedAt': DELETED_AT, '#expiresAt': EXPIRY_ATTRIBUTE };
  const remove = Object.keys(stored)
    .filter((attribute) => !KEPT_BY_TOMBSTONES.has(attribute) && !attribute.startsWith(HISTORY_SLOT_PREFIX))
    .map((attribute, position) => {
      names[`#tombstoned${position}`] = attribute;
      return `#tombstoned${position}`;
    });
  return {
    set: ['#deletedAt = :deletedAt', '#expiresAt = :expiresAt'],
    remove,
    names,
    values: {
      ':deletedAt': deletedAt.toISOString(),
      ':expiresAt': epochSeconds(deletedAt) + retentionDays * 86_400,
    },
  };
}

/**
 * The condition of a create's PutItem: no item has the id, or only a tombstone past its
 * retention (the table's TTL deletes expired items within days, and not at all on the local
 * engines). The new client replaces the tombstone and starts again at version 1.
 */
export function creatableCondition(now: Date) {
  return {
    ConditionExpression: 'attribute_not_exists(#pk) OR #expiresAt < :now',
    ExpressionAttributeNames: { '#pk': PARTITION_KEY, '#expiresAt': EXPIRY_ATTRIBUTE },
    ExpressionAttributeValues: { ':now': epochSeconds(now) },
  };
}

/** One UpdateItem's expression from fragments whose placeholders do not clash. */
export function updateExpression(...fragments: UpdateFragment[]) {
  const names: Record<string, string> = {};
  const values: Record<string, unknown> = {};
  for (const fragment of fragments) {
    mergePlaceholders(names, fragment.names);
    mergePlaceholders(values, fragment.values);
  }
  const set = fragments.flatMap((fragment) => fragment.set);
  const remove = fragments.flatMap((fragment) => fragment.remove);
  return {
    UpdateExpression: [set.length > 0 && `SET ${set.join(', ')}`, remove.length > 0 && `REMOVE ${remove.join(', ')}`]
      .filter(Boolean)
      .join(' '),
    ExpressionAttributeNames: names,
    ...(Object.keys(values).length > 0 && { ExpressionAttributeValues: values }),
  };
}

function mergePlaceholders(target: Record<string, unknown>, placeholders: Record<string, unknown>): void {
  for (const placeholder of Object.keys(placeholders)) {
    const value = placeholders[placeholder];
    if (placeholder in target && target[placeholder] !== value) {
      throw new Error(`Two update fragments use ${placeholder} for different values`);
    }
    target[placeholder] = value;
  }
}

export function isTombstone(item: Item): boolean {
  return DELETED_AT in item;
}

/** A tombstone past its retention: as if the item were gone, whether or not TTL removed it yet. */
export function isExpired(item: Item, now: Date): boolean {
  return typeof item[EXPIRY_ATTRIBUTE] === 'number' && item[EXPIRY_ATTRIBUTE] < epochSeconds(now);
}

/**
 * The item's history, newest first: the entries of the last `capacity` versions. Entries of
 * older versions may still sit in slots that no write has reached since the capacity was
 * lowered; they fall outside that window and are left out.
 */
export function historyOf(item: Item, capacity: number): HistoryEntry[] {
  const version = Number(item[VERSION] ?? 0);
  return slotEntries(item)
    .filter((entry) => entry.version <= version && entry.version > version - capacity)
    .sort((first, second) => second.version - first.version);
}

/**
 * The entry the item's last write added, if it added one: the entry of the item's version. A
 * write that added none (older code, a seed) leaves an older entry, or none, in that slot.
 */
export function latestEntryOf(item: Item): HistoryEntry | undefined {
  const version = Number(item[VERSION]);
  return slotEntries(item).find((entry) => entry.version === version);
}

/**
 * What the ring costs: its largest size, and the units DynamoDB charges for a client of
 * `clientBytes` with a full ring of `entryBytes` entries. A write is charged 1 unit per KB of the
 * larger of the item's sizes before and after it; a strongly consistent read 1 unit per 4 KB.
 */
export function historyCost({
  capacity,
  clientBytes,
  entryBytes = HISTORY_ENTRY_LIMITS.entryBytes,
}: {
  capacity: number;
  clientBytes: number;
  entryBytes?: number;
}) {
  const slotNameBytes = HISTORY_SLOT_PREFIX.length + String(capacity - 1).length;
  const ringBytes = capacity * (slotNameBytes + entryBytes);
  const itemBytes = clientBytes + ringBytes;
  return {
    ringBytes,
    itemBytes,
    writeUnits: Math.ceil(itemBytes / 1024),
    writeUnitsWithoutHistory: Math.ceil(clientBytes / 1024),
    consistentReadUnits: Math.ceil(itemBytes / 4096),
    consistentReadUnitsWithoutHistory: Math.ceil(clientBytes / 4096),
  };
}

/**
 * The slots past `capacity` that the item's next write may clear: those whose entries that
 * write leaves out of the last `capacity` versions. A slot whose entry is still among them (the
 * capacity was just lowered, or a writer with another setting wrote it) stays until it is not.
 */
export function leftoverSlots(item: Item, capacity: number): number[] {
  const nextVersion = Number(item[VERSION] ?? 0) + 1;
  // Only the slots past the capacity can be left over (an update's read holds no others).
  return slotIndexes(item)
    .filter((index) => index >= capacity && index < MAX_HISTORY_CAPACITY)
    .filter((index) => {
      const entry = item[`${HISTORY_SLOT_PREFIX}${index}`];
      return !isHistoryEntry(entry) || entry.version <= nextVersion - capacity;
    })
    .sort((first, second) => first - second);
}

function slotIndexes(item: Item | undefined): number[] {
  return Object.keys(item ?? {})
    .filter((attribute) => /^history_(0|[1-9][0-9]*)$/.test(attribute))
    .map((attribute) => Number(attribute.slice(HISTORY_SLOT_PREFIX.length)));
}

function slotEntries(item: Item): HistoryEntry[] {
  return slotIndexes(item)
    .map((index) => item[`${HISTORY_SLOT_PREFIX}${index}`])
    .filter(isHistoryEntry);
}

function epochSeconds(time: Date): number {
  return Math.floor(time.getTime() / 1000);
}
