// Pins every experiment's plans: the run identities (the tracker's resume key: a changed hash means
// every earlier run of that profile is trained again) and a hash of the whole plan (grid, report and
// pictures included) and of the resolved config, for every profile. Recorded from the definitions before they became
// declarative; `YOTO_RECORD_PLANS=1` rewrites the file, which a change that MEANS to alter a plan does.
import { readFileSync, writeFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { configHash } from '../config/hash.js';
import { identify } from '../runner/identity.js';
import { listExperiments, resolveExperiment } from './registry.js';

const FILE = new URL('./__golden__/plans.json', import.meta.url);

function current(): Record<string, { config: string; plan: string; runs: Record<string, string> }> {
  const out: Record<string, { config: string; plan: string; runs: Record<string, string> }> = {};
  for (const def of listExperiments())
    for (const profile of Object.keys(def.profiles)) {
      const { config, plan } = resolveExperiment(def.name, profile);
      out[`${def.name}/${profile}`] = {
        config: configHash(config),
        plan: configHash(plan),
        runs: Object.fromEntries(plan.runs.map((r) => [r.key, identify(def.name, profile, plan, r).hash])),
      };
    }
  return out;
}

describe('experiment plans', () => {
  it('every profile of every experiment plans exactly the recorded runs (same identities, same plan)', () => {
    const now = current();
    if (process.env.YOTO_RECORD_PLANS === '1') writeFileSync(FILE, `${JSON.stringify(now, null, 2)}\n`);
    const golden = JSON.parse(readFileSync(FILE, 'utf8')) as ReturnType<typeof current>;
    expect(now).toEqual(golden);
  });
});
