import { Readable } from 'node:stream';
import type { HttpRequest } from '@smithy/core/transport';
import { HttpResponse } from '@smithy/core/transport';
import { NodeHttpHandler } from '@smithy/node-http-handler';

export type Fault = 'throttling' | 'server error' | 'connection reset' | 'timeout';

/** Which calls fail: by DynamoDB operation, for the first `times` attempts (Infinity: always). */
export interface FaultPlan {
  operation: 'BatchGetItem' | 'UpdateItem' | 'GetItem' | 'PutItem';
  fault: Fault;
  times: number;
}

const JSON_ERROR = (status: number, type: string, message: string) =>
  new HttpResponse({
    statusCode: status,
    headers: { 'content-type': 'application/x-amz-json-1.0', 'x-amzn-requestid': 'fault' },
    body: Readable.from([Buffer.from(JSON.stringify({ __type: type, message }))]),
  });

/**
 * The SDK's HTTP handler with faults injected below the SDK, where DynamoDB's own failures
 * arrive: the SDK's retries, error parsing and the store's classification all run for real.
 */
export class FaultInjectingHandler extends NodeHttpHandler {
  readonly attempts = new Map<string, number>();

  constructor(private readonly plans: FaultPlan[]) {
    super({ connectionTimeout: 1_000, requestTimeout: 3_000 });
  }

  override async handle(request: HttpRequest, options?: Parameters<NodeHttpHandler['handle']>[1]) {
    const operation = String(request.headers['x-amz-target'] ?? '').split('.')[1] ?? '';
    const attempt = (this.attempts.get(operation) ?? 0) + 1;
    this.attempts.set(operation, attempt);
    const plan = this.plans.find((candidate) => candidate.operation === operation && attempt <= candidate.times);
    switch (plan?.fault) {
      case 'throttling':
        return {
          response: JSON_ERROR(
            400,
            'com.amazonaws.dynamodb.v20120810#ProvisionedThroughputExceededException',
            'The level of configured provisioned throughput for the table clients-secret-name was exceeded',
          ),
        };
      case 'server error':
        return {
          response: JSON_ERROR(
            500,
            'com.amazonaws.dynamodb.v20120810#InternalServerError',
            'Internal error at node 10.0.0.12',
          ),
        };
      case 'connection reset':
        throw Object.assign(new Error('socket hang up at 10.0.0.12'), { code: 'ECONNRESET' });
      case 'timeout':
        throw Object.assign(new Error('Connection timed out after 3000 ms to 10.0.0.12'), { name: 'TimeoutError' });
      default:
        return super.handle(request, options);
    }
  }
}
