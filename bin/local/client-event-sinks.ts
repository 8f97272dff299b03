import { appendFile } from 'node:fs/promises';
import type { ClientChangedEvent } from '../../lambda/domain/client-changed-event.js';
import type { ClientEventSink, PublishOutcome } from '../../lambda/events/client-event-sink.js';

/**
 * An event as an EventBridge rule hands it to its target, less what only AWS adds (the event's
 * own id, the account and the region): what a consumer written against the bus reads.
 */
export function deliveredEvent(event: ClientChangedEvent) {
  return { 'detail-type': event.detailType, source: event.source, time: event.time, detail: event.detail };
}

/** The local server's sinks: one JSON line per event, written in one piece per batch. */
export class JsonLinesClientEventSink implements ClientEventSink {
  constructor(private readonly write: (lines: string) => Promise<void>) {}

  async publish(events: readonly ClientChangedEvent[]): Promise<PublishOutcome> {
    if (events.length === 0) return { published: 0 };
    try {
      await this.write(events.map((event) => `${JSON.stringify(deliveredEvent(event))}\n`).join(''));
      return { published: events.length };
    } catch (error) {
      return { published: 0, failure: { index: 0, reason: (error as NodeJS.ErrnoException).code ?? 'Error' } };
    }
  }
}

/** Prints each event on standard output (or the stream given). */
export function printedEvents(output: NodeJS.WritableStream = process.stdout): ClientEventSink {
  return new JsonLinesClientEventSink(
    (lines) => new Promise((resolve, reject) => output.write(lines, (error) => (error ? reject(error) : resolve()))),
  );
}

/** Appends each event to a file, one JSON line each (created if missing). */
export function eventsFile(path: string): ClientEventSink {
  return new JsonLinesClientEventSink((lines) => appendFile(path, lines));
}
