import { parseArgs } from 'node:util';

/*
 * The one command-line flag parser of the repository's tools that are not the `exp` CLI: benches,
 * research scripts and `pnpm data`. Built on node's util.parseArgs (`--name value`, `--name=value`,
 * boolean `--flag`), it adds typed values (integers with a minimum, choices, defaults) and turns every
 * refusal into ONE line, `<program>: <what was wrong>; usage: <usage>`, thrown as a FlagError (code
 * 'USAGE') that `pnpm bench` and the scripts print without a stack trace. Tfjs-free.
 */

export type FlagDef =
  | { type: 'boolean'; short?: string }
  | { type: 'string'; default?: string; choices?: readonly string[]; short?: string }
  | { type: 'integer'; default?: number; min?: number }
  | { type: 'number'; default?: number; min?: number; above?: number };

export type FlagSpec = Record<string, FlagDef>;

type ValueOf<D> = D extends { type: 'boolean' }
  ? boolean
  : D extends { type: 'integer' | 'number' }
    ? D extends { default: number }
      ? number
      : number | undefined
    : D extends { choices: readonly (infer C)[] }
      ? D extends { default: string }
        ? C
        : C | undefined
      : D extends { default: string }
        ? string
        : string | undefined;

/** The parsed flags by name (`help` is always there: `--help` / `-h`). */
export type Flags<S extends FlagSpec> = { [K in keyof S]: ValueOf<S[K]> } & { help: boolean };

/** A bad command line; `code` lets callers recognise it without importing this class. */
export class FlagError extends Error {
  readonly code = 'USAGE';
  constructor(message: string) {
    super(message);
    this.name = 'FlagError';
  }
}

export interface ParseFlagsOptions {
  /** Accept non-flag arguments (returned in `positionals`); otherwise one is refused. */
  positionals?: boolean;
}

/** Parses `args` by `spec`. `program` and `usage` go into every error line. */
export function parseFlags<const S extends FlagSpec>(
  program: string,
  args: readonly string[],
  spec: S,
  usage: string,
  o: ParseFlagsOptions = {},
): { flags: Flags<S>; positionals: string[] } {
  const fail = (what: string): never => {
    throw new FlagError(`${program}: ${what}; usage: ${usage}`);
  };
  const options: Record<string, { type: 'boolean' | 'string'; short?: string }> = { help: { type: 'boolean', short: 'h' } };
  for (const [name, d] of Object.entries(spec))
    options[name] = { type: d.type === 'boolean' ? 'boolean' : 'string', ...('short' in d && d.short ? { short: d.short } : {}) };
  let parsed: { values: Record<string, string | boolean | (string | boolean)[] | undefined>; positionals: string[] };
  try {
    parsed = parseArgs({ args: [...args], options, strict: true, allowPositionals: o.positionals ?? false });
  } catch (err) {
    parsed = fail(nodeReason(err as Error & { code?: string }));
  }
  const flags: Record<string, unknown> = { help: parsed.values.help === true };
  for (const [name, d] of Object.entries(spec)) {
    const raw = parsed.values[name] as string | boolean | undefined;
    flags[name] = raw === undefined ? (d.type === 'boolean' ? false : 'default' in d ? d.default : undefined) : typed(name, d, raw, fail);
  }
  return { flags: flags as Flags<S>, positionals: parsed.positionals };
}

function typed(name: string, d: FlagDef, raw: string | boolean, fail: (what: string) => never): unknown {
  if (d.type === 'boolean') return raw;
  const v = String(raw);
  if (d.type === 'string') {
    if (d.choices && !d.choices.includes(v)) fail(`--${name} must be one of ${d.choices.join(', ')}, got '${v}'`);
    return v;
  }
  const n = /^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i.test(v.trim()) ? Number(v) : NaN;
  if (d.type === 'integer') {
    const min = d.min ?? Number.MIN_SAFE_INTEGER;
    if (!Number.isSafeInteger(n) || n < min) fail(`--${name} must be an integer${d.min === undefined ? '' : ` ≥ ${d.min}`}, got '${v}'`);
    return n;
  }
  if (!Number.isFinite(n) || (d.min !== undefined && n < d.min) || (d.above !== undefined && n <= d.above))
    fail(`--${name} must be a number${d.min !== undefined ? ` ≥ ${d.min}` : d.above !== undefined ? ` > ${d.above}` : ''}, got '${v}'`);
  return n;
}

/** Node's parseArgs messages run to several sentences; the first clause, in the house's words. */
function nodeReason(err: Error & { code?: string }): string {
  const quoted = /'([^']+)'/.exec(err.message)?.[1] ?? '';
  switch (err.code) {
    case 'ERR_PARSE_ARGS_UNKNOWN_OPTION':
      return `unknown option '${quoted}'`;
    case 'ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL':
      return `unexpected argument '${quoted}'`;
    case 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE':
      return /argument missing/.test(err.message) ? `${flagName(err.message)} needs a value` : `${flagName(err.message)} takes no value`;
    default:
      return err.message.split('. ')[0];
  }
}

function flagName(message: string): string {
  return /(--[\w-]+)/.exec(message)?.[1] ?? 'an option';
}

/**
 * parseFlags for a script's top level (research scripts): a bad command line prints its one line to
 * stderr and exits 2, `--help` prints the usage and exits 0. A FlagError left to escape a script's
 * top-level await would print a stack trace under tsx.
 */
export function parseFlagsOrExit<const S extends FlagSpec>(
  program: string,
  args: readonly string[],
  spec: S,
  usage: string,
  o: ParseFlagsOptions = {},
): { flags: Flags<S>; positionals: string[] } {
  let parsed: { flags: Flags<S>; positionals: string[] };
  try {
    parsed = parseFlags(program, args, spec, usage, o);
  } catch (err) {
    if (!(err instanceof FlagError)) throw err;
    console.error(err.message);
    return process.exit(2);
  }
  if (parsed.flags.help) {
    console.log(`usage: ${usage}`);
    return process.exit(0);
  }
  return parsed;
}
