import { describe, expect, it } from 'vitest';
import type { HistoryEntry } from '../../lambda/domain/history-entry.js';
import { decodeHistoryCursor, encodeHistoryCursor, historyPage } from '../../lambda/domain/history-page.js';
import {
  historyCapacity,
  historyCost,
  historyEntryUpdate,
  historyOf,
  isExpired,
  latestEntryOf,
  leftoverSlots,
  tombstoneUpdate,
  updateExpression,
} from '../../lambda/store/history-ring.js';

const entry = (version: number): HistoryEntry => ({
  version,
  at: '2026-11-27T20:41:03.512Z',
  action: 'updated',
  actor: { sub: 'admin', client_id: null, issuer: null },
  request_id: null,
  source_ip: null,
  changes: { name: { from: `v${version - 1}`, to: `v${version}` } },
});

/** An item after `version` writes with a ring of `capacity`, as the slot rule fills it. */
function ringItem(version: number, capacity: number): Record<string, unknown> {
  const item: Record<string, unknown> = { pk: 'CLIENT', sk: 'c', version, name: `v${version}` };
  for (let written = 1; written <= version; written += 1) item[`history_${written % capacity}`] = entry(written);
  return item;
}

describe('the history ring', () => {
  it('puts the entry of version v in slot v mod N', () => {
    expect(Object.values(historyEntryUpdate(entry(53), { capacity: 50 }).names)).toEqual(['history_3']);
  });

  it('removes the slots a lowered capacity left behind once their entries leave the window, and only those', () => {
    const stored = ringItem(60, 50);
    // Version 61 keeps versions 42 to 61: slots 42 to 49 still hold entries of that window.
    const leftovers = leftoverSlots(stored, 20);
    const fragment = historyEntryUpdate(entry(61), { capacity: 20, leftoverSlots: leftovers });

    expect(leftovers).toEqual(Array.from({ length: 22 }, (_, index) => 20 + index));
    expect(fragment.remove.map((placeholder) => fragment.names[placeholder])).toEqual(
      Array.from({ length: 22 }, (_, index) => `history_${20 + index}`),
    );
    expect(historyOf({ ...stored, version: 61 }, 20)).toHaveLength(19);
  });

  it('lists leftover slots in slot order, whatever the order of the item, and ignores other names', () => {
    const stored = ringItem(60, 50);
    const shuffled = Object.fromEntries(Object.entries(stored).reverse());
    const withOddNames = { ...shuffled, history_07: stored.history_7, history_: stored.history_8, history_x: 1 };

    expect(leftoverSlots(withOddNames, 20)).toEqual(Array.from({ length: 22 }, (_, index) => 20 + index));
  });

  it('reads the history newest first, the last N versions only', () => {
    expect(historyOf(ringItem(7, 5), 5).map(({ version }) => version)).toEqual([7, 6, 5, 4, 3]);
    expect(historyOf(ringItem(2, 5), 5).map(({ version }) => version)).toEqual([2, 1]);
  });

  it('leaves out entries a lowered capacity has not overwritten yet, and values that are no entry', () => {
    const item = { ...ringItem(60, 50), history_7: 'not an entry', history_x: entry(60) };

    expect(historyOf(item, 20).map(({ version }) => version)).toEqual(
      Array.from({ length: 20 }, (_, index) => 60 - index).filter((version) => version !== 57),
    );
  });

  it('finds the entry the last write added, and none when that write added none', () => {
    expect(latestEntryOf(ringItem(7, 5))).toEqual(entry(7));
    expect(latestEntryOf({ ...ringItem(7, 5), version: 12 })).toBeUndefined();
    expect(latestEntryOf({ pk: 'CLIENT', sk: 'c', version: 1 })).toBeUndefined();
  });

  it('marks a tombstone to expire after the retention and removes every client attribute but the history', () => {
    const stored = { ...ringItem(3, 5), secret: 's', private_key: 'k', redirect_uris: [] };
    const deletedAt = new Date('2026-11-27T00:00:00.000Z');

    const fragment = tombstoneUpdate({ stored, deletedAt, retentionDays: 365 });

    expect(fragment.remove.map((placeholder) => fragment.names[placeholder]).sort()).toEqual([
      'name',
      'private_key',
      'redirect_uris',
      'secret',
    ]);
    expect(fragment.values).toEqual({
      ':deletedAt': '2026-11-27T00:00:00.000Z',
      ':expiresAt': deletedAt.getTime() / 1000 + 365 * 86_400,
    });
    const tombstone = { expires_at: fragment.values[':expiresAt'] };
    expect(isExpired(tombstone, new Date('2027-11-26T00:00:00.000Z'))).toBe(false);
    expect(isExpired(tombstone, new Date('2027-11-28T00:00:00.000Z'))).toBe(true);
  });

  it('refuses to merge fragments that give one placeholder two meanings', () => {
    const first = { set: ['#a = :a'], remove: [], names: { '#a': 'name' }, values: { ':a': 1 } };

    expect(updateExpression(first, { ...first, values: { ':a': 1 } }).ExpressionAttributeNames).toEqual({
      '#a': 'name',
    });
    expect(() => updateExpression(first, { ...first, names: { '#a': 'secret' } })).toThrow(/#a/);
  });

  it.each([
    [undefined, 50],
    ['', 50],
    ['1', 1],
    ['100', 100],
  ])('reads the capacity setting %j as %i', (setting, capacity) => {
    expect(historyCapacity(setting)).toBe(capacity);
  });

  it.each(['0', '101', '2.5', 'fifty'])('refuses the capacity setting %j', (setting) => {
    expect(() => historyCapacity(setting)).toThrow(/from 1 to 100/);
  });

  it('costs a full ring of maximal entries 128,500 bytes, and a 2 KB client then 128 write units instead of 2', () => {
    expect(historyCost({ capacity: 50, clientBytes: 2048 })).toEqual({
      ringBytes: 128_500,
      itemBytes: 130_548,
      writeUnits: 128,
      writeUnitsWithoutHistory: 2,
      consistentReadUnits: 32,
      consistentReadUnitsWithoutHistory: 1,
    });
  });
});

describe('history pages', () => {
  const newestFirst = [9, 8, 7, 6, 5].map(entry);

  it('gives every entry, without a cursor, when no limit is asked', () => {
    expect(historyPage(newestFirst, {})).toEqual({ entries: newestFirst, nextCursor: null });
  });

  it('pages by version, so that a cursor keeps its place while newer entries arrive', () => {
    const first = historyPage(newestFirst, { limit: 2 });
    expect(first.entries.map(({ version }) => version)).toEqual([9, 8]);

    const arrived = [entry(10), ...newestFirst];
    const second = historyPage(arrived, { limit: 2, before: decodeHistoryCursor(first.nextCursor as string) });
    expect(second.entries.map(({ version }) => version)).toEqual([7, 6]);

    const last = historyPage(arrived, { limit: 2, before: decodeHistoryCursor(second.nextCursor as string) });
    expect(last).toEqual({ entries: [entry(5)], nextCursor: null });
  });

  const base64url = (text: string) => Buffer.from(text).toString('base64url');
  it.each([
    '',
    'v12',
    encodeHistoryCursor(12).toUpperCase(),
    `${encodeHistoryCursor(12)}=`,
    ...['v0', 'v-1', 'v012', 'v12 ', '12', 'v1e3', 'v99999999999999999'].map(base64url),
  ])('refuses the cursor %j, which it did not write', (cursor) => {
    expect(decodeHistoryCursor(cursor)).toBeUndefined();
  });

  it('reads back the cursors it writes', () => {
    expect(decodeHistoryCursor(encodeHistoryCursor(12))).toBe(12);
  });
});
