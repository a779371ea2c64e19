import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openTracker } from '@yoto/tracker';
import { afterEach, describe, expect, it } from 'vitest';
import { resolveExperiment } from '../experiments/registry.js';
import { identify } from './identity.js';
import { planRunIds } from './report.js';

let dir: string | undefined;
afterEach(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
  dir = undefined;
});

describe('planRunIds', () => {
  it("picks the current plan's runs, not runs of an earlier config under the same experiment", () => {
    dir = mkdtempSync(join(tmpdir(), 'yoto-plan-runs-'));
    const t = openTracker(join(dir, 'db.sqlite'));
    try {
      const { definition, profile, plan } = resolveExperiment('vae-beta-sweep', 'smoke', []);
      const exp = t.createExperiment({ name: 'vae-beta-sweep/smoke' });
      const start = (name: string) => {
        const run = t.startRun({ experiment: exp.id, name, kind: 'baseline', gitRevision: null });
        run.finish();
        return run.id;
      };
      const old = start(`${profile}/${plan.runs[0].key}/00000000`); // same key, another config hash
      const current = plan.runs.slice(0, 2).map((s) => start(identify(definition.name, profile, plan, s).name));
      const ids = planRunIds(t, exp.name, definition.name, profile, plan);
      expect(ids).toEqual(current);
      expect(ids).not.toContain(old);
    } finally {
      t.close();
    }
  });
});
