// One `exp run` per YOTO_HOME: a second one stops at once with one line (exit 2) while the first
// lives, and takes over the lock of one that died. The holder here is a real process.
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { UsageError } from '../errors.js';
import { runCli } from '../testing/cli.js';
import { resolveHome } from './home.js';
import { acquireHomeLock, LOCK_FILE } from './home-lock.js';

const root = mkdtempSync(join(tmpdir(), 'yoto-lock-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
const home = resolveHome({ YOTO_HOME: root }, root);

const cli = (...argv: string[]) => runCli(argv, { env: { YOTO_HOME: root }, cwd: root });

describe('the YOTO_HOME lock', () => {
  it('refuses a second holder while the first lives, and frees on release', () => {
    const release = acquireHomeLock(home, 'vae-beta-sweep');
    expect(() => acquireHomeLock(home, 'other')).toThrow(UsageError);
    expect(() => acquireHomeLock(home, 'other')).toThrow(`another \`exp run\` (vae-beta-sweep, pid ${process.pid}, since `);
    release();
    expect(existsSync(join(root, LOCK_FILE))).toBe(false);
    acquireHomeLock(home, 'again')();
    expect(readdirSync(root)).toEqual([]); // no temporary files left behind
  });

  it('a second `exp run` exits 2 with one line before registering anything; a dead holder’s lock is taken over', async () => {
    const holder = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { stdio: 'ignore' });
    await new Promise((r) => holder.once('spawn', r));
    writeFileSync(join(root, LOCK_FILE), JSON.stringify({ pid: holder.pid, host: hostname(), what: 'vae-beta-sweep --profile smoke', since: 'now' }));
    const r = await cli('run', 'vae-beta-sweep', '--profile', 'smoke');
    expect(r.code).toBe(2);
    expect(r.err.split('\n')).toHaveLength(1);
    expect(r.err).toContain(`another \`exp run\` (vae-beta-sweep --profile smoke, pid ${holder.pid}, since now) is using YOTO_HOME=${root}`);
    expect(existsSync(home.db)).toBe(false);

    holder.kill('SIGKILL');
    await new Promise((r) => holder.once('exit', r));
    const release = acquireHomeLock(home, 'after the crash');
    release();
  });
});
