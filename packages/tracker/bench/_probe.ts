import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openTracker } from '../src/index.js';
const dir = mkdtempSync(join(tmpdir(), 'probe-'));
const t = openTracker(join(dir, 'x.sqlite'), { batchSize: Number(process.env.BS ?? 5000) });
t.createExperiment({ name: 'e' });
const run = t.startRun({ experiment: 'e', name: 'r', kind: 'yoto', gitRevision: null });
const writer = (t as any).writer;
let flushMs = 0;
const orig = writer.writeSteps.bind(writer);
writer.writeSteps = (...a: unknown[]) => { const s = performance.now(); orig(...a); flushMs += performance.now() - s; };
const values: Record<string, number> = {};
const start = performance.now();
for (let s = 0; s < 250_000; s++) { for (let k = 0; k < 4; k++) values['metric' + k] = Math.sin(s + k); run.logMetrics(s, values); }
run.finish();
const total = performance.now() - start;
console.log(`total ${total.toFixed(0)} ms, in writeSteps ${flushMs.toFixed(0)} ms, rate ${(1e6 / total * 1000).toFixed(0)}`);
t.close(); rmSync(dir, { recursive: true });
