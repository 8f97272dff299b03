import {
  type EventBridgeClient,
  PutEventsCommand,
  type PutEventsCommandOutput,
  type PutEventsRequestEntry,
} from '@aws-sdk/client-eventbridge';
import type { ClientChangedEvent } from '../domain/client-changed-event.js';
import type { ClientEventSink, PublishOutcome } from './client-event-sink.js';

/** PutEvents takes at most 10 entries a call; ten entries of at most a few KB stay far below its size limit. */
const PUT_EVENTS_MAX_ENTRIES = 10;

/**
 * Publishes to an EventBridge bus, 10 events a PutEvents call, one call after the other so that
 * a client's events leave in version order. At the first entry EventBridge refuses (or a call
 * that fails), it stops: what follows is published again when the stream delivers it again.
 */
export class EventBridgeClientEventSink implements ClientEventSink {
  constructor(
    private readonly client: EventBridgeClient,
    private readonly eventBusName: string,
  ) {}

  async publish(events: readonly ClientChangedEvent[]): Promise<PublishOutcome> {
    for (let start = 0; start < events.length; start += PUT_EVENTS_MAX_ENTRIES) {
      const chunk = events.slice(start, start + PUT_EVENTS_MAX_ENTRIES);
      let output: PutEventsCommandOutput;
      try {
        output = await this.client.send(new PutEventsCommand({ Entries: chunk.map((event) => this.entry(event)) }));
      } catch (error) {
        return { published: start, failure: { index: start, reason: (error as Error).name || 'Error' } };
      }
      if ((output.FailedEntryCount ?? 0) > 0) {
        const failed = Math.max(
          0,
          (output.Entries ?? []).findIndex((entry) => entry.ErrorCode !== undefined),
        );
        const reason = output.Entries?.[failed]?.ErrorCode ?? 'FailedEntry';
        return { published: start + failed, failure: { index: start + failed, reason } };
      }
    }
    return { published: events.length };
  }

  private entry(event: ClientChangedEvent): PutEventsRequestEntry {
    return {
      EventBusName: this.eventBusName,
      Source: event.source,
      DetailType: event.detailType,
      Detail: JSON.stringify(event.detail),
      Time: new Date(event.time),
    };
  }
}
