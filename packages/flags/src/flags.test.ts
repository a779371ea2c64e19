import { afterEach, describe, expect, it, vi } from 'vitest';
import { FlagError, parseFlags, parseFlagsOrExit } from './flags.js';

const SPEC = {
  json: { type: 'boolean' },
  backend: { type: 'string' },
  loop: { type: 'string', choices: ['trainer', 'minimal'], default: 'trainer' },
  steps: { type: 'integer', min: 1, default: 50 },
  warmup: { type: 'integer', min: 0 },
  limit: { type: 'number', above: 0, default: 10 },
} as const;
const USAGE = 'bench x [--json] [--steps n]';
const parse = (...args: string[]) => parseFlags('bench x', args, SPEC, USAGE).flags;

describe('parseFlags', () => {
  it('types values, fills defaults, takes --name value and --name=value', () => {
    expect(parse()).toEqual({ help: false, json: false, backend: undefined, loop: 'trainer', steps: 50, warmup: undefined, limit: 10 });
    expect(parse('--json', '--steps', '7', '--warmup=0', '--loop', 'minimal', '--backend=cpu', '--limit', '0.5')).toEqual({
      help: false,
      json: true,
      backend: 'cpu',
      loop: 'minimal',
      steps: 7,
      warmup: 0,
      limit: 0.5,
    });
    expect(parse('-h').help).toBe(true);
    expect(parse('--help').help).toBe(true);
  });

  it('refuses a bad command line in one line naming the flag, with the usage', () => {
    const bad = (args: string[], what: string) => {
      let err: unknown;
      try {
        parse(...args);
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(FlagError);
      expect((err as FlagError).code).toBe('USAGE');
      expect((err as Error).message).toBe(`bench x: ${what}; usage: ${USAGE}`);
    };
    bad(['--no-such-flag'], "unknown option '--no-such-flag'");
    bad(['--steps'], '--steps needs a value');
    bad(['--json=yes'], '--json takes no value');
    bad(['stray'], "unexpected argument 'stray'");
    bad(['--steps', '0'], "--steps must be an integer ≥ 1, got '0'");
    bad(['--steps', '2.5'], "--steps must be an integer ≥ 1, got '2.5'");
    bad(['--steps', '99999999999999999999'], "--steps must be an integer ≥ 1, got '99999999999999999999'");
    bad(['--warmup', 'some'], "--warmup must be an integer ≥ 0, got 'some'");
    bad(['--loop', 'fast'], "--loop must be one of trainer, minimal, got 'fast'");
    bad(['--limit', '0'], "--limit must be a number > 0, got '0'");
  });

  it('returns positionals only when asked to', () => {
    expect(parseFlags('data', ['verify', 'kodak', '--root', '/d'], { root: { type: 'string' } }, 'data …', { positionals: true })).toEqual({
      flags: { help: false, root: '/d' },
      positionals: ['verify', 'kodak'],
    });
  });
});

describe('parseFlagsOrExit', () => {
  afterEach(() => {
    vi.restoreAllMocks();
  });

  /** Runs it with process.exit and the console captured: the exit code (null: returned) and what was printed. */
  function run(...args: string[]): { code: number | null; flags?: unknown; err: string[]; out: string[] } {
    const err: string[] = [];
    const out: string[] = [];
    vi.spyOn(console, 'error').mockImplementation((line: string) => void err.push(line));
    vi.spyOn(console, 'log').mockImplementation((line: string) => void out.push(line));
    vi.spyOn(process, 'exit').mockImplementation((code) => {
      throw Object.assign(new Error('exit'), { exitCode: code });
    });
    try {
      return { code: null, flags: parseFlagsOrExit('bench x', args, SPEC, USAGE).flags, err, out };
    } catch (e) {
      return { code: (e as { exitCode: number }).exitCode, err, out };
    }
  }

  it('returns the typed flags of a good command line', () => {
    expect(run('--steps', '1000', '--limit', '1e-3')).toMatchObject({ code: null, flags: { steps: 1000, limit: 0.001 }, err: [], out: [] });
  });

  it('prints a bad value as its one line on stderr and exits 2; --help prints the usage and exits 0', () => {
    expect(run('--steps', 'many')).toEqual({ code: 2, err: [`bench x: --steps must be an integer ≥ 1, got 'many'; usage: ${USAGE}`], out: [] });
    expect(run('--help')).toEqual({ code: 0, err: [], out: [`usage: ${USAGE}`] });
  });
});
