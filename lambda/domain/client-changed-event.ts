import type { HistoryEntry } from './history-entry.js';

/** EventBridge's `detail-type` of every event this API publishes. */
export const CLIENT_CHANGED_DETAIL_TYPE = 'Client Changed';
/** The CloudEvents `type` inside the detail. */
export const CLIENT_CHANGED_TYPE = 'client.changed';

/**
 * A CloudEvents 1.0 envelope (JSON format) around one history entry. Its `id` is
 * `<client_id>:<version>`: the same write always gives the same id, so that consumers drop
 * redelivered events by id and stale ones by version (an event whose version is not above the
 * last they applied for that client). The entry carries fingerprints, never secrets.
 */
export interface ClientChangedEnvelope {
  specversion: '1.0';
  id: string;
  source: string;
  type: typeof CLIENT_CHANGED_TYPE;
  subject: string;
  time: string;
  datacontenttype: 'application/json';
  data: { client_id: string; entry: HistoryEntry };
}

/** What is published: EventBridge's source, detail-type and time around the envelope. */
export interface ClientChangedEvent {
  source: string;
  detailType: typeof CLIENT_CHANGED_DETAIL_TYPE;
  time: string;
  detail: ClientChangedEnvelope;
}

/** The event of one entry; `source` is the API's name. Its time is the change's, not the publication's. */
export function clientChangedEvent(source: string, clientId: string, entry: HistoryEntry): ClientChangedEvent {
  return {
    source,
    detailType: CLIENT_CHANGED_DETAIL_TYPE,
    time: entry.at,
    detail: {
      specversion: '1.0',
      id: `${clientId}:${entry.version}`,
      source,
      type: CLIENT_CHANGED_TYPE,
      subject: clientId,
      time: entry.at,
      datacontenttype: 'application/json',
      data: { client_id: clientId, entry },
    },
  };
}
