import type { HistoryEntry } from './history-entry.js';

/** A page of a client's history, newest first, and the cursor of the next page, if any. */
export interface HistoryPage {
  entries: HistoryEntry[];
  nextCursor: string | null;
}

/**
 * Up to `limit` entries (all without a limit) older than the version `before`. Entries are
 * numbered by version, so a cursor keeps its place while newer entries arrive.
 */
export function historyPage(
  newestFirst: readonly HistoryEntry[],
  { limit, before }: { limit?: number; before?: number },
): HistoryPage {
  const older = before === undefined ? newestFirst : newestFirst.filter((entry) => entry.version < before);
  const entries = limit === undefined ? [...older] : older.slice(0, limit);
  const last = entries.at(-1);
  return {
    entries,
    nextCursor: last && entries.length < older.length ? encodeHistoryCursor(last.version) : null,
  };
}

/** Opaque to callers: base64url of `v<version>`. */
export function encodeHistoryCursor(version: number): string {
  return Buffer.from(`v${version}`).toString('base64url');
}

/** The version a cursor continues below, or undefined for anything encodeHistoryCursor did not make. */
export function decodeHistoryCursor(cursor: string): number | undefined {
  const match = /^v([1-9][0-9]{0,15})$/.exec(Buffer.from(cursor, 'base64url').toString());
  const version = match ? Number(match[1]) : Number.NaN;
  // Base64url decoding forgives; a cursor is valid only as this module wrote it.
  return Number.isSafeInteger(version) && encodeHistoryCursor(version) === cursor ? version : undefined;
}
