// The research scripts parse their flags with @yoto/flags, as the benches do: --help prints the usage
// and exits 0 before any work starts, an unknown flag is one line naming it (exit 2), no stack trace.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const script = (name: string) => fileURLToPath(new URL(`../../../research/${name}`, import.meta.url));
const run = (name: string, args: string[]) =>
  spawnSync(process.execPath, ['--import', 'tsx', script(name), ...args], { encoding: 'utf8', env: { ...process.env, YOTO_DEBUG: '' }, timeout: 60_000 });

describe('research scripts answer --help and a bad flag in one line', () => {
  for (const name of ['style-loss-choice.ts', 'colour-statistics.ts']) {
    it(name, () => {
      const help = run(name, ['--help']);
      expect(help.status, help.stderr).toBe(0);
      expect(help.stdout.startsWith(`usage: ${name} `)).toBe(true);
      expect(help.stdout.trim().split('\n')).toHaveLength(1);
      const bad = run(name, ['--no-such-flag']);
      expect(bad.status).toBe(2);
      expect(bad.stderr.trim().split('\n')).toHaveLength(1);
      expect(bad.stderr).toContain("unknown option '--no-such-flag'");
      expect(bad.stderr).not.toContain('    at ');
    });
  }
});
