/**
 * How long after the first SIGINT/SIGTERM a repeat is taken as the same interrupt delivered again.
 *
 * One Ctrl-C can reach this process more than once: the terminal signals the whole foreground
 * process group, and every wrapper in it (pnpm's script runner, the tsx CLI) relays the signal to
 * its child as well — tsx does so 30 ms after its own copy unless the child acknowledges first,
 * which a loaded machine often misses. Those copies arrive within tens of milliseconds. A person
 * who reads "stopping…" and presses Ctrl-C again to quit takes far longer than half a second, so a
 * window of 500 ms separates the two. Counting "a signal after the message was printed" would not:
 * the message is printed synchronously by the first handler, before any relayed copy arrives.
 */
export const REPEAT_WINDOW_MS = 500;

export type StopSignal = 'SIGINT' | 'SIGTERM';

export interface InterruptHandlers {
  /** The first signal: stop gracefully (checkpoint, mark runs killed). */
  stop(signal: StopSignal): void;
  /** A deliberate second signal, after the repeat window: leave at once. */
  quit(signal: StopSignal): void;
}

/** Where signals come from and what time it is; tests pass their own. */
export interface SignalSource {
  on(signal: StopSignal, listener: (signal: StopSignal) => void): unknown;
  off(signal: StopSignal, listener: (signal: StopSignal) => void): unknown;
}

/** Listens for SIGINT and SIGTERM; returns the function that stops listening. */
export function watchInterrupts(
  handlers: InterruptHandlers,
  source: SignalSource = process,
  now: () => number = () => performance.now(),
  window = REPEAT_WINDOW_MS,
): () => void {
  let first: number | undefined;
  const onSignal = (signal: StopSignal): void => {
    const t = now();
    if (first === undefined) {
      first = t;
      handlers.stop(signal);
    } else if (t - first >= window) handlers.quit(signal);
    // else: the same interrupt, relayed by a wrapper; already being handled.
  };
  source.on('SIGINT', onSignal);
  source.on('SIGTERM', onSignal);
  return () => {
    source.off('SIGINT', onSignal);
    source.off('SIGTERM', onSignal);
  };
}
