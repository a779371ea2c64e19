import { spawnSync } from 'node:child_process';
import { loadAddon } from '@yoto/tfjs-dnnl';
import { describe, expect, it } from 'vitest';
import { parseCpuList, pinningReport, placesFor, requestPinning, threadCpus } from './pin.js';

const dnnl = loadAddon();
const cpus = threadCpus();

describe('pinning the kernels bench', () => {
  it('reads Linux CPU lists and rejects anything else', () => {
    expect(parseCpuList('0-1')).toEqual([0, 1]);
    expect(parseCpuList('0-3,6, 8-9\n')).toEqual([0, 1, 2, 3, 6, 8, 9]);
    expect(parseCpuList('5')).toEqual([5]);
    for (const bad of ['', '0-', 'a', '1;2']) expect(() => parseCpuList(bad)).toThrow(`not a CPU list: ${JSON.stringify(bad)}`);
  });

  it('pins N threads to the last N allowed cores, one place each', () => {
    expect(placesFor([0, 1], 1)).toBe('{1}');
    expect(placesFor([0, 1], 2)).toBe('{0},{1}');
    expect(placesFor([2, 5, 7], 2)).toBe('{5},{7}');
    expect(placesFor([0, 1], 4)).toBe('{0},{1}');
  });

  it("asks libgomp through the environment and leaves the caller's own settings alone", () => {
    const env: NodeJS.ProcessEnv = {};
    expect(requestPinning(1, env, [0, 1])).toEqual({ places: '{1}' });
    expect(env).toEqual({ OMP_PLACES: '{1}', OMP_PROC_BIND: 'true' });
    const mine: NodeJS.ProcessEnv = { OMP_PROC_BIND: 'spread' };
    expect(requestPinning(1, mine, [0, 1])).toEqual({ skipped: 'OMP_PLACES/OMP_PROC_BIND set by the caller (-, spread)' });
    expect(mine).toEqual({ OMP_PROC_BIND: 'spread' });
    expect(requestPinning(1, {}, null)).toMatchObject({ skipped: expect.stringContaining('/proc') });
  });

  it('reports a request the thread did not follow', () => {
    expect(pinningReport({ places: '{1}' }, [1])).toMatch(/^pinned: .*OMP_PLACES=\{1\}.* on CPU 1;/);
    expect(pinningReport({ places: '{1}' }, [0, 1])).toMatch(/^asked to pin to \{1\} but the kernels' thread may run on CPU 0,1/);
    expect(pinningReport(null, [0, 1])).toMatch(/^not pinned \(--no-pin\)/);
  });

  // What the bench relies on: loading the addon binds the loading thread when the variables are set.
  it.skipIf(!dnnl.ok || !cpus || cpus.length < 2)(
    'loading the addon pins the loading thread to the requested core (skipped without the native addon or a second core)',
    () => {
      if (!dnnl.ok || !cpus) return;
      const env: NodeJS.ProcessEnv = { ...process.env };
      delete env.OMP_PLACES;
      delete env.OMP_PROC_BIND;
      const request = requestPinning(1, env, cpus);
      const show = "const m=/Cpus_allowed_list:\\s*(\\S+)/; const s=()=>m.exec(require('fs').readFileSync('/proc/self/task/'+process.pid+'/status','utf8'))[1];";
      const r = spawnSync(process.execPath, ['-e', `${show} const before=s(); require(${JSON.stringify(dnnl.path)}); console.log(before, s())`], { env, encoding: 'utf8' });
      expect(r.status, r.stderr).toBe(0);
      const [before, after] = r.stdout.trim().split(' ');
      expect(parseCpuList(before)).toEqual(cpus);
      expect(parseCpuList(after)).toEqual([cpus[cpus.length - 1]]);
      expect(pinningReport(request, parseCpuList(after))).toMatch(/^pinned: /);
    },
  );
});
