// The browser entry must bundle for the browser platform with no Node module in it: the explorer
// page codes and decodes with this package in Chromium. The Node entry is bundled the same way as a
// control, so the check is shown to catch a Node import (it must fail, naming one).
import { fileURLToPath } from 'node:url';
import { build, type Metafile } from 'esbuild';
import { describe, expect, it } from 'vitest';

const entry = (name: string) => fileURLToPath(new URL(`./${name}`, import.meta.url));

/** Inputs are named relative to packages/ (e.g. tasks-compression/src/…, core/src/…). */
const PACKAGES = fileURLToPath(new URL('../..', import.meta.url));

const bundle = (file: string) =>
  build({ absWorkingDir: PACKAGES, entryPoints: [file], bundle: true, write: false, metafile: true, format: 'esm', platform: 'browser', conditions: ['browser'], logLevel: 'silent', target: 'es2022' });

describe('the browser entry of @yoto/tasks-compression', () => {
  it('bundles for the browser platform with no Node builtin, no sharp and no Node-only source file', async () => {
    const { metafile } = await bundle(entry('browser.ts'));
    const inputs = Object.keys((metafile as Metafile).inputs);
    expect(inputs.filter((f) => /^node:|(^|\/)(sharp|better-sqlite3)\//.test(f))).toEqual([]);
    // The package's own files that read files or spawn processes are not in it.
    for (const nodeOnly of ['codec/files.ts', 'data/images.ts', 'task/bls-task.ts']) expect(inputs.some((f) => f === `tasks-compression/src/${nodeOnly}`)).toBe(false);
    // …and the model code is (through core's browser entry).
    for (const needed of ['codec/codec.ts', 'coder/rans.ts', 'model/factorized-prior.ts', 'codec/fingerprint.ts']) expect(inputs.some((f) => f === `tasks-compression/src/${needed}`)).toBe(true);
    expect(inputs).toContain('core/src/browser.ts');
    expect(inputs).not.toContain('core/src/index.ts');
  }, 120_000);

  it('control: the Node entry does not bundle for the browser, and esbuild names a Node module', async () => {
    await expect(bundle(entry('index.ts'))).rejects.toThrow(/Could not resolve "(node:[\w/]+|sharp)"|No matching export/);
  }, 120_000);
});
