import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { saveCheckpoint, readCheckpoint } from './file.js';
import { CHECKPOINT_FORMAT_VERSION, decodeCheckpoint, encodeCheckpoint, type Checkpoint } from './format.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'yoto-ckpt-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

function sample(): Checkpoint {
  const arr = (n: number, k: number): Float32Array => Float32Array.from({ length: n }, (_, i) => Math.sin(i * k) * 1e3 + 1e-7 * i);
  return {
    task: 'two-target',
    step: 17,
    rngState: [1, 2, 4294967295, 7],
    config: { mode: 'yoto', seed: 3, optimizer: { lr: 0.001 } },
    space: { terms: ['a', 'b'], distribution: { kind: 'logUniform', term: 'b', low: 0.1, high: 10 } },
    conditioned: true,
    params: { 'l1/kernel': { shape: [3, 5], values: arr(15, 1) }, 'l1/bias': { shape: [5], values: arr(5, 2) }, scalar: { shape: [], values: new Float32Array([Math.PI]) } },
    adam: {
      iteration: 17,
      m: { 'l1/kernel': { shape: [3, 5], values: arr(15, 3) }, 'l1/bias': { shape: [5], values: arr(5, 4) }, scalar: { shape: [], values: new Float32Array([-0]) } },
      v: { 'l1/kernel': { shape: [3, 5], values: arr(15, 5) }, 'l1/bias': { shape: [5], values: arr(5, 6) }, scalar: { shape: [], values: new Float32Array([1e-30]) } },
    },
    backend: 'cpu',
    createdAt: '2024-01-01T00:00:00.000Z',
  };
}

describe('checkpoint format', () => {
  it('round-trips every field exactly, through a file too', async () => {
    const c = sample();
    expect(decodeCheckpoint(encodeCheckpoint(c), 'mem')).toEqual(c);
    const path = join(dir, 'roundtrip.yotockpt');
    await saveCheckpoint(path, c);
    expect(await readCheckpoint(path)).toEqual(c);
    const noAdam = { ...c, adam: null, rngState: null };
    expect(decodeCheckpoint(encodeCheckpoint(noAdam), 'mem')).toEqual(noAdam);
  });

  it('names the file and the problem for corrupt, truncated, foreign and future files', async () => {
    const bytes = encodeCheckpoint(sample());
    const write = async (name: string, b: Uint8Array): Promise<string> => {
      const p = join(dir, name);
      await writeFile(p, b);
      return p;
    };
    const flipped = bytes.slice();
    flipped[bytes.length - 100] ^= 0x40;
    await expect(readCheckpoint(await write('flipped', flipped))).rejects.toThrow(/checkpoint .*flipped: checksum mismatch: the file is corrupt/);
    const header = bytes.slice();
    header[20] ^= 0x01;
    await expect(readCheckpoint(await write('header', header))).rejects.toThrow(/header: checksum mismatch/);
    await expect(readCheckpoint(await write('short', bytes.subarray(0, bytes.length - 10)))).rejects.toThrow(
      new RegExp(`short: is truncated: expected ${bytes.length} bytes, the file has ${bytes.length - 10}`),
    );
    await expect(readCheckpoint(await write('tiny', bytes.subarray(0, 30)))).rejects.toThrow(/tiny: is truncated/);
    await expect(readCheckpoint(await write('long', new Uint8Array([...bytes, 0, 0])))).rejects.toThrow(/long: has 2 unexpected bytes after its data/);
    await expect(readCheckpoint(await write('foreign', new TextEncoder().encode('{"weights": [1, 2, 3]} and some more text here')))).rejects.toThrow(
      /foreign: is not a YOTO checkpoint \(it does not start with 'YOTOCKPT'\)/,
    );
    const future = bytes.slice();
    new DataView(future.buffer).setUint32(8, CHECKPOINT_FORMAT_VERSION + 1, true);
    await expect(readCheckpoint(await write('future', future))).rejects.toThrow(/future: has format version 2; this build reads version 1/);
    await expect(readCheckpoint(join(dir, 'absent'))).rejects.toThrow(/absent: does not exist/);
  });
});
