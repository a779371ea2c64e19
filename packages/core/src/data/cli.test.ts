import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { dataCli } from './cli.js';

const root = mkdtempSync(join(tmpdir(), 'yoto-cli-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('data CLI', () => {
  it('lists the datasets with their state under the given root', async () => {
    const lines: string[] = [];
    expect(await dataCli(['list', '--root', root], (l) => lines.push(l))).toBe(0);
    expect(lines[0]).toBe(`data root: ${root}`);
    expect(lines.find((l) => l.startsWith('kodak'))).toContain(`absent (${join(root, 'kodak')})`);
  });

  it('prints the usage and succeeds with no command, as with --help', async () => {
    for (const argv of [[], ['--help']]) {
      const lines: string[] = [];
      expect(await dataCli(argv, (l) => lines.push(l))).toBe(0);
      expect(lines).toEqual(['usage: data <list | path NAME | verify NAME | fetch NAME> [--root DIR]']);
    }
  });

  it('fails verify on an absent dataset and names unknown commands and datasets', async () => {
    const lines: string[] = [];
    expect(await dataCli(['verify', 'kodak', '--root', root], (l) => lines.push(l))).toBe(1);
    expect(lines[0]).toContain('FAILED (0 verified, 0 without checksum, 24 missing');
    await expect(dataCli(['frobnicate'])).rejects.toThrow(/unknown command 'frobnicate'; usage: data <list/);
    await expect(dataCli(['verify', 'mnist-9'])).rejects.toThrow(/unknown dataset 'mnist-9'; known datasets:/);
    await expect(dataCli(['path', 'kodak', '--root', root])).rejects.toThrow(/dataset 'kodak' .* not found/);
  });
});
