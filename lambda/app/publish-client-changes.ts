import { clientChangedEvent } from '../domain/client-changed-event.js';
import type { HistoryEntry } from '../domain/history-entry.js';
import type { ClientEventSink } from '../events/client-event-sink.js';

/** One record of the table's stream: the history entry its write added, if it added one. */
export interface ChangeRecord {
  sequenceNumber: string;
  change: { clientId: string; entry: HistoryEntry } | undefined;
}

export interface PublishReport {
  published: number;
  ignored: number;
  /** The records to deliver again: the first that failed, and every one after it. */
  failedSequenceNumbers: string[];
  failureReason?: string;
}

/**
 * Publishes the entry of each record, in stream order, as one `Client Changed` event, and skips
 * records that carry none (other kinds of items, writes that added no entry). When the sink
 * fails, the failed record and all after it are reported for redelivery, so that no client's
 * later version is published before an earlier one; events are the same on every delivery.
 */
export class PublishClientChanges {
  constructor(
    private readonly sink: ClientEventSink,
    private readonly source: string,
  ) {}

  async execute(records: readonly ChangeRecord[]): Promise<PublishReport> {
    const publishable = records.flatMap(({ change }, position) =>
      change ? [{ position, event: clientChangedEvent(this.source, change.clientId, change.entry) }] : [],
    );
    const outcome = await this.sink.publish(publishable.map(({ event }) => event));
    const firstFailed = outcome.failure ? publishable[outcome.failure.index]?.position : undefined;
    return {
      published: outcome.published,
      ignored: records.length - publishable.length,
      failedSequenceNumbers:
        firstFailed === undefined ? [] : records.slice(firstFailed).map(({ sequenceNumber }) => sequenceNumber),
      ...(outcome.failure && { failureReason: outcome.failure.reason }),
    };
  }
}
