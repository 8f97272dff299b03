/**
 * Points at which a test stops a request between two of its steps: the stores the use cases
 * call are the real DynamoDB adapters, wrapped so that a chosen call waits for the test (a
 * race) or fails (a crash), then everything else goes through untouched.
 */

type Method<T> = { [K in keyof T]: T[K] extends (...args: never[]) => unknown ? K : never }[keyof T];

export interface Pause {
  /** Resolves when the call has been reached (and is waiting). */
  reached: Promise<void>;
  /** Lets the waiting call go on. */
  resume(): void;
}

/** The store, with the `nth` call (1-based) of `method` held until the test resumes it. */
export function pausing<T extends object>(store: T, method: Method<T>, nth = 1): { store: T; pause: Pause } {
  let reach: () => void = () => {};
  let resume: () => void = () => {};
  const reached = new Promise<void>((resolve) => {
    reach = resolve;
  });
  const resumed = new Promise<void>((resolve) => {
    resume = resolve;
  });
  let calls = 0;
  return {
    store: intercept(store, method, async () => {
      calls += 1;
      if (calls !== nth) return;
      reach();
      await resumed;
    }),
    pause: { reached, resume },
  };
}

export class Crash extends Error {
  constructor(step: string) {
    super(`crashed at ${step}`);
    this.name = 'Crash';
  }
}

/** The store, with the `nth` call of `method` failing as a crash would, before it runs. */
export function crashing<T extends object>(store: T, method: Method<T>, nth = 1): T {
  let calls = 0;
  return intercept(store, method, async () => {
    calls += 1;
    if (calls === nth) throw new Crash(String(method));
  });
}

function intercept<T extends object>(store: T, method: Method<T>, before: () => Promise<void>): T {
  return new Proxy(store, {
    get(target, property, receiver) {
      const value = Reflect.get(target, property, receiver);
      if (typeof value !== 'function') return value;
      if (property !== method) return value.bind(target);
      return async (...args: unknown[]) => {
        await before();
        return value.apply(target, args);
      };
    },
  });
}
