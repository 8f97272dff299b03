import { userInfo } from 'node:os';
import { GetCallerIdentityCommand, STSClient, STSServiceException } from '@aws-sdk/client-sts';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { importActorName } from '../../bin/local/import-actor.js';
import { SeedError } from '../../bin/local/seed.js';

const sts = mockClient(STSClient);
const client = () => new STSClient({ region: 'eu-west-1', credentials: { accessKeyId: 'a', secretAccessKey: 's' } });

beforeEach(() => {
  sts.reset();
});

describe('who runs npm run import', () => {
  it('is the AWS principal of the credentials it runs with, as STS GetCallerIdentity names it', async () => {
    sts.on(GetCallerIdentityCommand).resolves({
      Arn: 'arn:aws:sts::123456789012:assumed-role/Deployer/jane',
      Account: '123456789012',
      UserId: 'AROAEXAMPLE:jane',
    });

    expect(await importActorName({}, client)).toBe('arn:aws:sts::123456789012:assumed-role/Deployer/jane');
    expect(sts.commandCalls(GetCallerIdentityCommand)).toHaveLength(1);
  });

  it('stops the import, asking for --actor, when STS cannot say', async () => {
    sts
      .on(GetCallerIdentityCommand)
      .rejects(new STSServiceException({ name: 'ExpiredToken', $fault: 'client', $metadata: {}, message: 'expired' }));

    await expect(importActorName({}, client)).rejects.toThrow(
      new SeedError('cannot tell which AWS principal imports (STS GetCallerIdentity: ExpiredToken): give --actor NAME'),
    );
  });

  it('is --actor when given, and the local user against another endpoint, without asking STS', async () => {
    expect(await importActorName({ actor: 'jane@example.com' }, client)).toBe('jane@example.com');
    expect(await importActorName({ endpoint: 'http://127.0.0.1:8000' }, client)).toBe(`local:${userInfo().username}`);
    expect(sts.calls()).toHaveLength(0);
  });
});
