import * as tf from '@tensorflow/tfjs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { evaluateAt, evaluateGrid, initBackend, loadTrained, train } from '@yoto/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ShrinkTask, type ShrinkModel } from './shrink-task.js';

// The README's "Add a task" example, built and trained through the public API only.
describe('the README example task', () => {
  let dir: string;
  beforeAll(async () => {
    await initBackend('cpu');
    dir = await mkdtemp(join(tmpdir(), 'yoto-example-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('trains one YOTO model towards y* = x/(1+λ) over the range, reloads it, and evaluates a grid', async () => {
    const task = new ShrinkTask();
    const untrained = task.buildModel({ space: task.defaultSpace(), conditioned: true, seed: 1 });
    const before = await evaluateAt(task, untrained, [1, 1]);
    untrained.params.dispose();
    const run = await train(task, { mode: 'yoto', steps: 150, batchSize: 32, seed: 1, optimizer: { lr: 0.01 }, checkpoint: { dir, every: 1000 } });
    expect(run.status).toBe('completed');
    const after = await evaluateAt(task, run.model, [1, 1]);
    expect(after.distance).toBeLessThan(0.5 * before.distance);

    // Rebuilt from the checkpoint alone (the module registered the task under 'shrink').
    const loaded = await loadTrained<ShrinkModel>(run.checkpointPath!);
    expect(loaded.task.name).toBe('shrink');
    const rows = await evaluateGrid(loaded.task, loaded.model, [[1, 0.1], [1, 1], [1, 10]]);
    const shrink = rows.filter((r) => r.metric === 'shrink').map((r) => r.value);
    // More weight on 'shrink', smaller outputs: the one model follows λ.
    expect(shrink[0]).toBeGreaterThan(shrink[1]);
    expect(shrink[1]).toBeGreaterThan(shrink[2]);
    expect(rows.find((r) => r.metric === 'distance' && r.lambda.shrink === 1)!.value).toBe(after.distance);
    run.model.params.dispose();
    loaded.model.params.dispose();
    expect(tf.memory().numTensors).toBeLessThan(50);
  });

  it("is what the README's \"Add a task\" section shows, character for character", async () => {
    const readme = await readFile(new URL('../../README.md', import.meta.url), 'utf8');
    const section = readme.slice(readme.indexOf('## Add a task'));
    const listing = section.slice(section.indexOf('```ts\n') + 6, section.indexOf('```\n\n## '));
    expect(listing).toBe(await readFile(new URL('./shrink-task.ts', import.meta.url), 'utf8'));
  });
});
