// `exp export --out` never replaces the tracker it reads, an existing file (without --force) or a
// folder (that was a raw EISDIR with a stack trace).
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openTracker } from '@yoto/tracker';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli } from '../testing/cli.js';

const home = mkdtempSync(join(tmpdir(), 'yoto-export-guard-'));
afterAll(() => rmSync(home, { recursive: true, force: true }));
openTracker(join(home, 'tracker.db')).close();

const cliIn = (env: NodeJS.ProcessEnv, ...argv: string[]) => runCli(argv, { env: { YOTO_HOME: home, ...env }, cwd: home });
const cli = (...argv: string[]) => cliIn({}, ...argv);

describe('exp export --out', () => {
  it('refuses the tracker database, a folder and an existing file (unless --force)', async () => {
    const db = readFileSync(join(home, 'tracker.db'));
    const self = await cli('export', '--out', 'tracker.db', '--force');
    expect(self.code).toBe(2);
    expect(self.err).toContain('is also an input of this command');
    expect(readFileSync(join(home, 'tracker.db')).equals(db)).toBe(true);

    mkdirSync(join(home, 'folder'));
    const folder = await cli('export', '--out', 'folder', '--force');
    expect(folder.code).toBe(2);
    expect(folder.err).toBe(`error: --out ${join(home, 'folder')} is a folder; name a file (e.g. ${join(home, 'folder', 'out')})`);

    writeFileSync(join(home, 'old.csv'), 'keep me');
    const exists = await cli('export', '--out', 'old.csv');
    expect(exists.code).toBe(2);
    expect(exists.err).toContain('already exists; pass --force to replace it');
    expect(readFileSync(join(home, 'old.csv'), 'utf8')).toBe('keep me');
    const forced = await cli('export', '--out', 'old.csv', '--force');
    expect(forced.code, forced.err).toBe(0);
    expect(readFileSync(join(home, 'old.csv'), 'utf8').trim()).toBe(''); // no evaluation rows yet: an empty table
  });

  it('resolves a relative --out against the folder the command was typed in (INIT_CWD), not the repository root', async () => {
    const user = mkdtempSync(join(tmpdir(), 'yoto-export-user-'));
    try {
      const r = await cliIn({ INIT_CWD: user }, 'export', '--out', 'rows.csv');
      expect(r.code, r.err).toBe(0);
      expect(existsSync(join(user, 'rows.csv'))).toBe(true);
      expect(existsSync(join(home, 'rows.csv'))).toBe(false);
    } finally {
      rmSync(user, { recursive: true, force: true });
    }
  });
});
