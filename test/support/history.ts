import { expect } from 'vitest';
import type { HistoryEntry } from '../../lambda/domain/history-entry.js';
import type { ClientStore } from '../../lambda/store/client-store.js';
import { DEFAULT_HISTORY_CAPACITY } from '../../lambda/store/history-ring.js';

/**
 * A client's history, after checking that it holds exactly one entry per version, newest
 * first, from the client's version (the tombstone's, for a deleted one) down to 1 or as far as
 * the ring keeps: no gap, no entry twice, none past the version.
 */
export async function historyWithoutGaps(
  store: ClientStore,
  clientId: string,
  capacity = DEFAULT_HISTORY_CAPACITY,
): Promise<HistoryEntry[]> {
  const entries = await store.getHistory(clientId);
  if (!entries) throw new Error(`no history for ${clientId}`);
  const version = (await store.getClient(clientId, { withoutPrivateKey: true }))?.version ?? entries[0]?.version ?? 0;
  const kept = Math.min(version, capacity);
  expect(entries.map((entry) => entry.version)).toEqual(Array.from({ length: kept }, (_, index) => version - index));
  return entries;
}

/** `[version, action]` of each entry, newest first: what a test about who wrote what compares. */
export function actionsOf(entries: readonly HistoryEntry[]): [number, string][] {
  return entries.map((entry) => [entry.version, entry.action]);
}
