import type { ClientChangedEvent } from '../domain/client-changed-event.js';

/**
 * Where client events go, in order: `published` events from the first were delivered. On a
 * failure, the events from `failure.index` on were not (some of them may have been: delivery
 * is at least once, and consumers drop duplicates by the event's id).
 */
export interface PublishOutcome {
  published: number;
  failure?: { index: number; reason: string };
}

/**
 * The publisher's output. One adapter per destination: EventBridge in Lambda
 * (eventbridge-client-event-sink.ts), standard output or a JSON-lines file on the local server.
 */
export interface ClientEventSink {
  publish(events: readonly ClientChangedEvent[]): Promise<PublishOutcome>;
}
