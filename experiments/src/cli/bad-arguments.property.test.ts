// Property: every command, given one bad argument (an unknown flag, a bad or missing flag value, an
// extra positional, an unknown experiment, a YOTO_HOME that is a file), exits 2 with one short
// message and no stack trace — and never starts any work. In-process calls of the CLI's main.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { COMMANDS } from '../commands/index.js';
import { main, type CliIo } from './main.js';

const dir = mkdtempSync(join(tmpdir(), 'yoto-bad-args-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const homeFile = join(dir, 'home-is-a-file');
writeFileSync(homeFile, '');
writeFileSync(join(dir, 'model.yotockpt'), 'not read: every case fails before');
writeFileSync(join(dir, 'in.png'), 'not read either');

/** Arguments each command accepts: the bad one is added to these, so it is the only mistake. */
const VALID: Record<string, string[]> = {
  list: [],
  help: [],
  run: ['vae-beta-sweep', '--profile', 'smoke'],
  report: ['vae-beta-sweep', '--profile', 'smoke'],
  'show-config': ['vae-beta-sweep', '--profile', 'smoke'],
  runs: [],
  show: ['1'],
  export: ['--format', 'csv'],
  codec: ['compress', '--model', 'model.yotockpt', '--lambda', '0.01', 'in.png', 'out.yoto'],
  stylize: ['--model', 'model.yotockpt', '--weights', 'content=0.5', 'in.png', 'out.png'],
  explore: ['vae-beta-sweep', '--profile', 'smoke'],
  worker: ['--queue', 'redis://127.0.0.1:1'],
};
/** Commands that read YOTO_HOME (a file there is a mistake for them). */
const HOME_READERS = ['run', 'report', 'runs', 'show', 'export', 'explore'];
const EXPERIMENT_TAKERS = ['run', 'report', 'show-config', 'explore'];

const word = fc.stringMatching(/^[a-z][a-z0-9-]{0,14}$/);
const junk = fc.string({ minLength: 1, maxLength: 20 }).filter((s) => !s.startsWith('-') && s.trim() === s && s !== '');

type Case = { argv: string[]; env: NodeJS.ProcessEnv };

function badCases(command: string): fc.Arbitrary<Case>[] {
  const spec = COMMANDS[command];
  const base = VALID[command];
  const env = { YOTO_HOME: join(dir, 'home') };
  const flags = Object.entries(spec.flags);
  const cases: fc.Arbitrary<Case>[] = [
    // An option the command does not have.
    word.filter((w) => !(w in spec.flags) && w !== 'help').map((w) => ({ argv: [command, ...base, `--${w}`], env })),
    // One positional too many.
    junk.map((j) => ({ argv: [command, ...base, j], env })),
  ];
  const valued = flags.filter(([name, f]) => f.type !== 'boolean' && !base.includes(`--${name}`));
  if (valued.length > 0)
    // A flag that takes a value, given last without one.
    cases.push(fc.constantFrom(...valued).map(([name]) => ({ argv: [command, ...base, `--${name}`], env })));
  const ints = flags.filter(([, f]) => f.type === 'int');
  if (ints.length > 0)
    cases.push(fc.tuple(fc.constantFrom(...ints), junk.filter((j) => !/^[+-]?\d+$/.test(j.trim()))).map(([[name], v]) => ({ argv: [command, ...base, `--${name}`, v], env })));
  const choices = flags.filter(([, f]) => f.choices !== undefined);
  if (choices.length > 0)
    cases.push(
      fc.tuple(fc.constantFrom(...choices), junk).filter(([[, f], v]) => !f.choices!.includes(v)).map(([[name], v]) => ({ argv: [command, ...base, `--${name}`, v], env })),
    );
  const booleans = flags.filter(([, f]) => f.type === 'boolean');
  if (booleans.length > 0)
    cases.push(fc.tuple(fc.constantFrom(...booleans), word.filter((w) => w !== 'true' && w !== 'false')).map(([[name], v]) => ({ argv: [command, ...base, `--${name}=${v}`], env })));
  if (EXPERIMENT_TAKERS.includes(command))
    cases.push(word.filter((w) => w !== 'vae-beta-sweep' && w !== 'compression-rd-sweep').map((w) => ({ argv: [command, w, ...base.slice(1)], env })));
  if (HOME_READERS.includes(command)) cases.push(fc.constant({ argv: [command, ...base], env: { YOTO_HOME: homeFile } }));
  if (command === 'codec') cases.push(junk.filter((j) => j !== 'compress' && j !== 'decompress').map((j) => ({ argv: [command, j, ...base.slice(1)], env })));
  if ('profile' in spec.flags && command !== 'codec')
    cases.push(word.filter((w) => !['smoke', 'default', 'full'].includes(w)).map((w) => ({ argv: [command, base[0], '--profile', w], env })));
  return cases;
}

async function cli({ argv, env }: Case): Promise<{ code: number; err: string[] }> {
  const err: string[] = [];
  const io: CliIo = { out: () => undefined, err: (l) => err.push(l), progress: { write: () => true }, env: { ...env, INIT_CWD: dir }, cwd: dir };
  return { code: await main(argv, io), err };
}

describe('every command, one bad argument', () => {
  it('exit 2, one short message, no stack trace', async () => {
    const anyCase = fc.oneof(...Object.keys(COMMANDS).flatMap(badCases));
    await fc.assert(
      fc.asyncProperty(anyCase, async (c) => {
        const r = await cli(c);
        const text = r.err.join('\n');
        expect(r.code, `${c.argv.join(' ')}\n${text}`).toBe(2);
        expect(text).toMatch(/^error: /);
        expect(text).not.toMatch(/^\s+at /m);
        expect(r.err).toHaveLength(1);
        expect(r.err[0].split('\n')[0].length, text).toBeLessThan(400);
      }),
      { numRuns: 120, seed: 16 },
    );
  });
});
