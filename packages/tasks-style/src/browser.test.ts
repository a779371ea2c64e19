// The browser entry must bundle for the browser platform with no Node module in it: the explorer
// page stylizes and estimates the loss terms with this package in Chromium. The Node entry is the
// control (it must fail, naming a Node module), so the check is shown to catch one.
import { fileURLToPath } from 'node:url';
import { build, type Metafile } from 'esbuild';
import { describe, expect, it } from 'vitest';

const PACKAGES = fileURLToPath(new URL('../..', import.meta.url));
const bundle = (name: string) =>
  build({ absWorkingDir: PACKAGES, entryPoints: [`tasks-style/src/${name}`], bundle: true, write: false, metafile: true, format: 'esm', platform: 'browser', conditions: ['browser'], logLevel: 'silent', target: 'es2022' });

describe('the browser entry of @yoto/tasks-style', () => {
  it('bundles with no Node builtin, no sharp and no file-reading source, and holds the model, the loss and the task', async () => {
    const inputs = Object.keys(((await bundle('browser.ts')).metafile as Metafile).inputs);
    expect(inputs.filter((f) => /^node:|(^|\/)(sharp|better-sqlite3)\//.test(f))).toEqual([]);
    for (const nodeOnly of ['data.ts', 'task.ts', 'register.ts', 'loss-network/read.ts', 'loss-network/files.ts']) expect(inputs).not.toContain(`tasks-style/src/${nodeOnly}`);
    for (const needed of ['model/transformer.ts', 'losses/style-loss.ts', 'loss-network/from-bytes.ts', 'task-definition.ts', 'stylize-at.ts']) expect(inputs).toContain(`tasks-style/src/${needed}`);
    expect(inputs).toContain('core/src/browser.ts');
    expect(inputs).not.toContain('core/src/index.ts');
  }, 120_000);

  it('control: the Node entry does not bundle for the browser, and esbuild names a Node module', async () => {
    await expect(bundle('index.ts')).rejects.toThrow(/Could not resolve "(node:[\w/]+|sharp)"|No matching export/);
  }, 120_000);
});
