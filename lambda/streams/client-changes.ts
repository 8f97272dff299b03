import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import type { DynamoDBBatchResponse, DynamoDBRecord, DynamoDBStreamEvent } from 'aws-lambda';
import { type ChangeRecord, PublishClientChanges } from '../app/publish-client-changes.js';
import type { ClientEventSink } from '../events/client-event-sink.js';
import { HISTORY_SLOT_PREFIX, latestEntryOf } from '../store/history-ring.js';
import { SORT_KEY } from '../store/table-definition.js';

/** Console or a Powertools Logger: counts, sequence numbers and error codes, never an item. */
export interface PublisherLog {
  info(message: string, attributes: Record<string, unknown>): void;
  warn(message: string, attributes: Record<string, unknown>): void;
}

export interface PublisherOptions {
  sink: ClientEventSink;
  /** EventBridge's `source` of the events: the API's name. */
  source: string;
  logger: PublisherLog;
}

/**
 * The publisher's settings, from its environment: EVENT_BUS_NAME, the bus it publishes to, and
 * EVENT_SOURCE, the `source` of its events (both required).
 */
export function publisherSettings(environment: NodeJS.ProcessEnv = process.env): { busName: string; source: string } {
  const busName = environment.EVENT_BUS_NAME;
  const source = environment.EVENT_SOURCE;
  if (!busName) throw new Error('EVENT_BUS_NAME is not set');
  if (!source) throw new Error('EVENT_SOURCE is not set');
  return { busName, source };
}

/**
 * The function fed by the table's stream (and, locally, by the stream poller): each new history
 * entry becomes one event. Records that failed to publish are reported as batch item failures
 * (ReportBatchItemFailures), from the first one on; Lambda delivers them again.
 */
export function createPublishClientChangesHandler(options: PublisherOptions) {
  const publish = new PublishClientChanges(options.sink, options.source);
  return async (event: DynamoDBStreamEvent): Promise<DynamoDBBatchResponse> => {
    const records = event.Records.map((record) => changeRecord(record, options.logger));
    const report = await publish.execute(records);
    const summary = { records: records.length, published: report.published, ignored: report.ignored };
    if (report.failedSequenceNumbers.length > 0) {
      options.logger.warn('client events not published', {
        ...summary,
        reason: report.failureReason,
        firstFailedSequenceNumber: report.failedSequenceNumbers[0],
        redelivered: report.failedSequenceNumbers.length,
      });
    } else {
      options.logger.info('client events published', summary);
    }
    return { batchItemFailures: report.failedSequenceNumbers.map((itemIdentifier) => ({ itemIdentifier })) };
  };
}

/**
 * The entry a record's write added. Only client items have history slots, so other items (and
 * writes that added no entry) carry none; only the id, the version and the slots are decoded,
 * never the client's secrets.
 */
function changeRecord(record: DynamoDBRecord, logger: PublisherLog): ChangeRecord {
  const sequenceNumber = record.dynamodb?.SequenceNumber ?? '';
  const image = record.dynamodb?.NewImage as Record<string, AttributeValue> | undefined;
  const slots = Object.keys(image ?? {}).filter((attribute) => attribute.startsWith(HISTORY_SLOT_PREFIX));
  if (record.eventName === 'REMOVE' || !image || slots.length === 0) return { sequenceNumber, change: undefined };
  try {
    const item = unmarshall(
      Object.fromEntries([SORT_KEY, 'version', ...slots].flatMap((name) => (image[name] ? [[name, image[name]]] : []))),
    );
    const entry = latestEntryOf(item);
    return { sequenceNumber, change: entry && { clientId: String(item[SORT_KEY]), entry } };
  } catch (error) {
    // A record that cannot be read will not read better on redelivery: skip it, and say so.
    logger.warn('stream record skipped', { sequenceNumber, reason: (error as Error).name });
    return { sequenceNumber, change: undefined };
  }
}
