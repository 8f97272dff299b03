import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { EventBridgeClientEventSink } from '../events/eventbridge-client-event-sink.js';
import { createPublishClientChangesHandler, publisherSettings } from '../streams/client-changes.js';

// Settings and the EventBridge client: created once per container. Short timeouts and the SDK's
// retries; a batch that still fails is delivered again by the event source mapping. Logs go
// through the console (the function's JSON log format): Powertools would double this bundle.
const settings = publisherSettings();
export const handler = createPublishClientChangesHandler({
  sink: new EventBridgeClientEventSink(
    new EventBridgeClient({ maxAttempts: 3, requestHandler: { connectionTimeout: 1_000, requestTimeout: 3_000 } }),
    settings.busName,
  ),
  source: settings.source,
  logger: console,
});
