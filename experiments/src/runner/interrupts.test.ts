// One interrupt is one graceful stop, however many copies of the signal arrive; a deliberate second
// Ctrl-C still quits. The clock is the test's, so the timing is exact rather than raced.
import { EventEmitter } from 'node:events';
import { describe, expect, it } from 'vitest';
import { REPEAT_WINDOW_MS, watchInterrupts, type SignalSource, type StopSignal } from './interrupts.js';

function harness() {
  const emitter = new EventEmitter();
  const source: SignalSource = {
    on: (s, l) => emitter.on(s, l),
    off: (s, l) => emitter.off(s, l),
  };
  let t = 1000;
  const calls: string[] = [];
  const unwatch = watchInterrupts({ stop: (s) => calls.push(`stop ${s}`), quit: (s) => calls.push(`quit ${s}`) }, source, () => t);
  const at = (ms: number, s: StopSignal = 'SIGINT'): void => {
    t = 1000 + ms;
    emitter.emit(s, s);
  };
  return { at, calls, unwatch, emitter };
}

describe('watchInterrupts', () => {
  it('takes a Ctrl-C relayed by wrappers (copies within the window) as one stop', () => {
    const h = harness();
    h.at(0);
    h.at(2); // the process group's copy and the tsx/pnpm relay, milliseconds apart
    h.at(31);
    h.at(REPEAT_WINDOW_MS - 1, 'SIGTERM');
    expect(h.calls).toEqual(['stop SIGINT']);
  });

  it('quits on a second Ctrl-C pressed after the window', () => {
    const h = harness();
    h.at(0);
    h.at(5);
    h.at(REPEAT_WINDOW_MS + 700);
    expect(h.calls).toEqual(['stop SIGINT', 'quit SIGINT']);
  });

  it('stops listening when detached', () => {
    const h = harness();
    h.unwatch();
    expect(h.emitter.listenerCount('SIGINT') + h.emitter.listenerCount('SIGTERM')).toBe(0);
  });
});
