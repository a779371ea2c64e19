import { describe, expect, it } from 'vitest';
import { formatDuration, ProgressBoard } from './progress.js';

function sink(isTTY: boolean) {
  const writes: string[] = [];
  return { out: { isTTY, columns: 120, write: (t: string) => writes.push(t) }, writes };
}

const p = (step: number, steps = 100) => ({ step, steps, loss: 123.456, stepsPerSecond: 10, etaSeconds: (steps - step) / 10 });

describe('ProgressBoard', () => {
  it('prints plain lines on state changes and periodically when not a TTY', () => {
    let t = 0;
    const { out, writes } = sink(false);
    const board = new ProgressBoard(out, 'training', { intervalSeconds: 10, now: () => t });
    board.add('y', 'yoto');
    board.add('b', 'β=1', 'reused');
    board.progress('y', p(10));
    t = 5_000;
    board.progress('y', p(20));
    t = 11_000;
    board.progress('y', p(30));
    board.set('y', 'done');
    board.close();
    const text = writes.join('');
    expect(text).not.toContain('\x1b[');
    expect(writes).toEqual([
      'training\n',
      '  β=1  finished earlier, reused\n',
      // The first progress flips the row to running (a state change, printed at once); the one
      // at 5 s falls inside the 10 s interval and is dropped; the one at 11 s is printed.
      '  yoto  step  10/100  loss 123.46  10 steps/s  ETA 9s\n',
      '  yoto  step  30/100  loss 123.46  10 steps/s  ETA 7s\n',
      '  yoto  done  100 steps  loss 123.46\n',
    ]);
  });

  it('redraws the rows in place on a TTY', () => {
    let t = 0;
    const { out, writes } = sink(true);
    const board = new ProgressBoard(out, 'training', { redrawMs: 100, now: () => t });
    board.add('y', 'yoto');
    t = 1000;
    board.progress('y', p(50));
    board.close();
    expect(writes[0]).toBe('\x1b[2Ktraining\n\x1b[2K  yoto  queued\n');
    // Later frames move the cursor up over the two lines drawn before and rewrite them.
    expect(writes.at(-1)).toBe('\x1b[2A\r\x1b[2Ktraining\n\x1b[2K  yoto  step  50/100  loss 123.46  10 steps/s  ETA 5s\n');
  });

  it('formats durations', () => {
    expect(formatDuration(5)).toBe('5s');
    expect(formatDuration(75)).toBe('1m15s');
    expect(formatDuration(3725)).toBe('1h02m');
    expect(formatDuration(Number.POSITIVE_INFINITY)).toBe('?');
  });
});
