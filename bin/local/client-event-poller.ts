import { setTimeout as sleep } from 'node:timers/promises';
import {
  DescribeStreamCommand,
  DynamoDBStreamsClient,
  GetRecordsCommand,
  GetShardIteratorCommand,
  ListStreamsCommand,
  type _Record as StreamRecord,
} from '@aws-sdk/client-dynamodb-streams';
import type { DynamoDBRecord } from 'aws-lambda';
import type { ClientEventSink } from '../../lambda/events/client-event-sink.js';
import { createPublishClientChangesHandler, type PublisherLog } from '../../lambda/streams/client-changes.js';
import { API_NAME } from '../../lib/api-routes.js';
import { LOCAL_CREDENTIALS } from './dynamodb-engines.js';

export interface ClientEventPollerOptions {
  /** A DynamoDB Local endpoint: dynalite does not serve the streams API. */
  endpoint: string;
  tableName: string;
  sink: ClientEventSink;
  source?: string;
  intervalMs?: number;
  /** The publisher's warnings and the poller's errors (the stream is read again after either). */
  logger?: PublisherLog & { error(message: string, attributes: Record<string, unknown>): void };
}

export interface ClientEventPoller {
  stop(): Promise<void>;
}

type Position =
  | { ShardIteratorType: 'TRIM_HORIZON' }
  | { ShardIteratorType: 'AT_SEQUENCE_NUMBER' | 'AFTER_SEQUENCE_NUMBER'; SequenceNumber: string };

interface ShardState {
  parent?: string;
  position: Position;
  iterator?: string;
  closed: boolean;
}

const QUIET: NonNullable<ClientEventPollerOptions['logger']> = {
  info: () => {},
  warn: (message, attributes) => console.warn(message, attributes),
  error: (message, attributes) => console.error(message, attributes),
};

/**
 * The table's stream on DynamoDB Local, read the way Lambda's event source mapping reads it in
 * AWS: each shard from its oldest record, parents before children, batches handed to the same
 * publisher function, and a batch's failed records read again from the first one, so that the
 * local server emits the events the stack would.
 */
export async function startClientEventPoller(options: ClientEventPollerOptions): Promise<ClientEventPoller> {
  const logger = options.logger ?? QUIET;
  const streams = new DynamoDBStreamsClient({
    endpoint: options.endpoint,
    region: process.env.AWS_REGION ?? 'us-east-1',
    credentials: LOCAL_CREDENTIALS,
  });
  let streamArn: string | undefined;
  try {
    const { Streams } = await streams.send(new ListStreamsCommand({ TableName: options.tableName }));
    streamArn = Streams?.[0]?.StreamArn;
  } catch (error) {
    streams.destroy();
    throw new Error(`cannot read the stream of table ${options.tableName}: ${(error as Error).name}`, {
      cause: error,
    });
  }
  if (!streamArn) {
    streams.destroy();
    throw new Error(`table ${options.tableName} has no stream to read`);
  }
  const arn = streamArn;

  const publish = createPublishClientChangesHandler({
    sink: options.sink,
    source: options.source ?? API_NAME,
    logger,
  });
  const shards = new Map<string, ShardState>();

  async function discoverShards(): Promise<void> {
    let after: string | undefined;
    do {
      const { StreamDescription } = await streams.send(
        new DescribeStreamCommand({ StreamArn: arn, ExclusiveStartShardId: after }),
      );
      for (const shard of StreamDescription?.Shards ?? []) {
        if (shard.ShardId && !shards.has(shard.ShardId)) {
          shards.set(shard.ShardId, {
            parent: shard.ParentShardId,
            position: { ShardIteratorType: 'TRIM_HORIZON' },
            closed: false,
          });
        }
      }
      after = StreamDescription?.LastEvaluatedShardId;
    } while (after);
  }

  /** Reads one batch of a shard and publishes it; tells whether there may be more to read at once. */
  async function readShard(shardId: string, shard: ShardState): Promise<boolean> {
    if (!shard.iterator) {
      const { ShardIterator } = await streams.send(
        new GetShardIteratorCommand({ StreamArn: arn, ShardId: shardId, ...shard.position }),
      );
      shard.iterator = ShardIterator;
    }
    const { Records = [], NextShardIterator } = await streams.send(
      new GetRecordsCommand({ ShardIterator: shard.iterator, Limit: 100 }),
    );
    if (Records.length > 0) {
      const { batchItemFailures } = await publish({ Records: Records.map((record) => lambdaRecord(record, arn)) });
      const retryFrom = batchItemFailures[0]?.itemIdentifier;
      if (retryFrom) {
        // Read again from the first failed record, after a pause.
        shard.position = { ShardIteratorType: 'AT_SEQUENCE_NUMBER', SequenceNumber: retryFrom };
        shard.iterator = undefined;
        return false;
      }
      const last = Records.at(-1)?.dynamodb?.SequenceNumber as string;
      shard.position = { ShardIteratorType: 'AFTER_SEQUENCE_NUMBER', SequenceNumber: last };
    }
    shard.iterator = NextShardIterator;
    shard.closed = NextShardIterator === undefined;
    return Records.length > 0;
  }

  async function poll(): Promise<boolean> {
    await discoverShards();
    let read = false;
    for (const [shardId, shard] of shards) {
      const parent = shard.parent ? shards.get(shard.parent) : undefined;
      if (shard.closed || (parent && !parent.closed)) continue;
      try {
        read = (await readShard(shardId, shard)) || read;
      } catch (error) {
        // An expired or trimmed iterator: ask for a new one at the shard's position next time.
        shard.iterator = undefined;
        throw error;
      }
    }
    return read;
  }

  const stopping = new AbortController();
  const loop = (async () => {
    while (!stopping.signal.aborted) {
      let busy = false;
      try {
        busy = await poll();
      } catch (error) {
        if (!stopping.signal.aborted) logger.error('stream poll failed', { reason: (error as Error).name });
      }
      if (!busy) await sleep(options.intervalMs ?? 200, undefined, { signal: stopping.signal }).catch(() => {});
    }
  })();

  return {
    async stop() {
      stopping.abort();
      await loop;
      streams.destroy();
    },
  };
}

/** A record of the streams API in the shape Lambda gives the function. */
function lambdaRecord(record: StreamRecord, streamArn: string): DynamoDBRecord {
  return {
    eventID: record.eventID,
    eventName: record.eventName,
    eventVersion: record.eventVersion,
    eventSource: record.eventSource,
    awsRegion: record.awsRegion,
    eventSourceARN: streamArn,
    dynamodb: {
      Keys: record.dynamodb?.Keys as never,
      NewImage: record.dynamodb?.NewImage as never,
      SequenceNumber: record.dynamodb?.SequenceNumber,
      SizeBytes: record.dynamodb?.SizeBytes,
      StreamViewType: record.dynamodb?.StreamViewType,
    },
  };
}
