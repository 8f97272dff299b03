/**
 * The least time a write may start with: the SDK's attempts at one write fit in it. With less
 * left, a use case that has not written yet gives up (503), so that a function stopped at its
 * timeout, which its caller sees as a 502, never leaves a change behind (new keys, a new client).
 */
export const WRITE_MARGIN_MS = 3_000;

/** Whether `deadline` (epoch ms, when the function's time runs out) leaves too little for a write. */
export function tooLateToWrite(deadline: number | undefined): boolean {
  return deadline !== undefined && Date.now() > deadline - WRITE_MARGIN_MS;
}
