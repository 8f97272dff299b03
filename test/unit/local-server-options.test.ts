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
    });
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
