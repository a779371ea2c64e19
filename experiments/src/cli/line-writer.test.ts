// `exp list | head -3`: the reader closes the pipe early; the CLI must not die with a stack trace.
import { spawnSync } from 'node:child_process';
import { Writable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { lineWriter } from './line-writer.js';

/** A stream whose reader has gone: every write fails with EPIPE, as a closed pipe does. */
function closedPipe(): Writable & { attempts: number } {
  const s = new Writable({
    write(_chunk, _enc, cb) {
      s.attempts++;
      cb(Object.assign(new Error('write EPIPE'), { code: 'EPIPE' }));
    },
  }) as Writable & { attempts: number };
  s.attempts = 0;
  return s;
}

const tick = () => new Promise((r) => setImmediate(r));

describe('lineWriter', () => {
  it('drops the lines after the reader closed the pipe, without an error', async () => {
    const pipe = closedPipe();
    const out = lineWriter(pipe);
    out('first');
    await tick();
    out('second');
    out('third');
    await tick();
    expect(pipe.attempts).toBe(1);
  });

  it('rethrows any other stream error', () => {
    const s = new Writable({ write: (_c, _e, cb) => cb() });
    lineWriter(s);
    expect(() => s.emit('error', Object.assign(new Error('disk on fire'), { code: 'EIO' }))).toThrow('disk on fire');
  });

  it('`exp help` into a pipe closed before it writes exits 0 with no stack trace', () => {
    const cli = fileURLToPath(new URL('../cli.ts', import.meta.url));
    // The reader closes its end and exits at once, long before the CLI (a fresh Node + tsx start,
    // about half a second) writes its first line: every write then meets a closed pipe.
    const r = spawnSync('bash', ['-c', `node --import tsx ${JSON.stringify(cli)} help | (exec 0<&-; true); echo "rc=\${PIPESTATUS[0]}"`], { encoding: 'utf8' });
    expect(r.stdout.trim()).toBe('rc=0');
    expect(r.stderr).not.toContain('EPIPE');
    expect(r.stderr).not.toContain('    at ');
  });
});
