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
      corsOrigins: [],
    });
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
