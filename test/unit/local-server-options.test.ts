import { describe, expect, it } from 'vitest';
import { parseLocalServerOptions, UsageError } from '../../bin/local/options.js';

describe("the local server's settings", () => {
  it('throttles as deployed by default, and keeps every other default', () => {
    expect(parseLocalServerOptions([], {})).toEqual({
      port: 3000,
      host: '127.0.0.1',
      seedFile: undefined,
      dataDir: undefined,
      engine: 'dynalite',
      endpoint: undefined,
      table: 'clients',
      protectedClientIds: [],
      throttle: true,
      eventsFile: undefined,
      history: { historyCapacity: 50, historyRetentionDays: 365 },
      corsOrigins: [],
    });
  });

  it('appends the events of DynamoDB Local to --events-file or EVENTS_FILE', () => {
    expect(parseLocalServerOptions(['--engine', 'dynamodb-local', '--events-file', 'e.jsonl'], {}).eventsFile).toBe(
      'e.jsonl',
    );
    expect(parseLocalServerOptions([], { ENGINE: 'dynamodb-local', EVENTS_FILE: 'f.jsonl' }).eventsFile).toBe(
      'f.jsonl',
    );
  });

  it.each([
    [
      'dynalite',
      ['--events-file', 'e.jsonl'],
      '--events-file needs --engine dynamodb-local: dynalite does not implement DynamoDB Streams, which the events come from',
    ],
    [
      'an external endpoint',
      ['--endpoint', 'http://127.0.0.1:8000', '--events-file', 'e.jsonl'],
      '--events-file goes with --engine dynamodb-local: the events come from the stream of the embedded engine, and an external endpoint (a deployed table) has its own publisher',
    ],
  ])('refuses an events file with %s, saying why', (_, argv, message) => {
    expect(() => parseLocalServerOptions(argv, {})).toThrow(new UsageError(message));
  });

  it('reads the history settings as the functions do, and refuses one out of bounds', () => {
    expect(parseLocalServerOptions([], { HISTORY_CAPACITY: '20', HISTORY_RETENTION_DAYS: '30' }).history).toEqual({
      historyCapacity: 20,
      historyRetentionDays: 30,
    });
    expect(() => parseLocalServerOptions([], { HISTORY_CAPACITY: '101' })).toThrow(
      new UsageError('The history capacity must be a whole number from 1 to 100, not 101'),
    );
  });

  it.each([
    [
      'repeated --cors-origin flags',
      ['--cors-origin', 'https://a.example.com', '--cors-origin', 'http://localhost:4001'],
      {},
    ],
    ['CORS_ORIGINS, comma-separated', [], { CORS_ORIGINS: 'https://a.example.com,http://localhost:4001' }],
    [
      'the flags over CORS_ORIGINS',
      ['--cors-origin', 'https://a.example.com', '--cors-origin', 'http://localhost:4001'],
      { CORS_ORIGINS: 'https://b.example.com' },
    ],
  ])('reads the allowed origins from %s', (_, argv, environment) => {
    expect(parseLocalServerOptions(argv, environment).corsOrigins).toEqual([
      'https://a.example.com',
      'http://localhost:4001',
    ]);
  });

  it.each([
    'https://a.example.com/',
    'https://A.example.com',
    'https://a.example.com/ui',
    'a.example.com',
    '*',
    'https://a.example.com:443',
  ])('refuses %s as an origin, in one line naming it', (origin) => {
    expect(() => parseLocalServerOptions(['--cors-origin', origin], {})).toThrow(
      new UsageError(
        `--cors-origin: a CORS origin must be an http(s) origin as browsers send it, such as https://admin.example.com (no path, no trailing slash, host in lower case): ${origin}`,
      ),
    );
  });

  it.each([
    ['--no-throttle', ['--no-throttle'], {}],
    ['THROTTLE=off', [], { THROTTLE: 'off' }],
    ['--no-throttle over THROTTLE=on', ['--no-throttle'], { THROTTLE: 'on' }],
  ])('lifts the throttle with %s', (_, argv, environment) => {
    expect(parseLocalServerOptions(argv, environment).throttle).toBe(false);
  });

  it('keeps the throttle with THROTTLE=on', () => {
    expect(parseLocalServerOptions([], { THROTTLE: 'on' }).throttle).toBe(true);
  });

  it('refuses another THROTTLE value in one line', () => {
    expect(() => parseLocalServerOptions([], { THROTTLE: 'no' })).toThrow(
      new UsageError('THROTTLE must be on or off, not no'),
    );
  });

  it('still reads every earlier flag and variable', () => {
    expect(
      parseLocalServerOptions(['--port', '0', '--seed', 's.json', '--protected-client-id', 'a'], {
        HOST: '0.0.0.0',
        DATA_DIR: '/tmp/d',
        TABLE_NAME: 't',
      }),
    ).toMatchObject({
      port: 0,
      host: '0.0.0.0',
      seedFile: 's.json',
      dataDir: '/tmp/d',
      table: 't',
      protectedClientIds: ['a'],
    });
  });
});
