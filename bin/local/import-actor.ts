import { userInfo } from 'node:os';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { SeedError } from './seed.js';

/**
 * Who runs `npm run import`, as the history of every client it writes names them:
 * - `--actor NAME`, as given;
 * - else, against AWS, the ARN of the principal whose credentials the import uses (STS
 *   GetCallerIdentity, which needs no permission): the import stops if STS cannot say;
 * - else, against another DynamoDB (`--endpoint`: a local engine, where credentials are dummies
 *   and STS has nothing to say), the local user, as `local:<user name>`.
 */
export async function importActorName(
  { actor, endpoint, region }: { actor?: string; endpoint?: string; region?: string },
  sts: () => STSClient = () => stsClient(region),
): Promise<string> {
  if (actor !== undefined) {
    if (actor.trim() === '') throw new SeedError('--actor must name who imports');
    return actor;
  }
  if (endpoint !== undefined) return `local:${userInfo().username}`;
  const client = sts();
  try {
    const { Arn } = await client.send(new GetCallerIdentityCommand({}));
    if (!Arn) throw new Error('no ARN in the answer');
    return Arn;
  } catch (error) {
    throw new SeedError(
      `cannot tell which AWS principal imports (STS GetCallerIdentity: ${(error as Error).name}): give --actor NAME`,
    );
  } finally {
    client.destroy();
  }
}

function stsClient(region: string | undefined): STSClient {
  // Fails fast where STS cannot be reached, rather than after the SDK's default timeouts.
  return new STSClient({ region, maxAttempts: 2, requestHandler: { connectionTimeout: 5000, requestTimeout: 10_000 } });
}
