import { UsageError, listOf } from '../errors.js';

export type FlagType = 'string' | 'int' | 'boolean';

export interface FlagSpec {
  type: FlagType;
  /** May be given several times; the values are collected in order. */
  multiple?: boolean;
  /** One line for `help`. */
  help: string;
  /** Placeholder for the value in `help`, e.g. "n". */
  value?: string;
  choices?: readonly string[];
}

export type FlagSpecs = Record<string, FlagSpec>;

export type FlagValue = string | number | boolean | string[] | number[];

export interface ParsedArgs {
  positionals: string[];
  flags: Record<string, FlagValue>;
}

/**
 * Parses `argv` (after the command name) against `specs`. Accepts `--flag value` and `--flag=value`;
 * booleans take no value. Anything unknown is a UsageError that lists the flags the command has,
 * because a silently ignored typo (`--worker 4`) would run a different experiment than intended.
 */
export function parseArgs(argv: readonly string[], specs: FlagSpecs, command: string): ParsedArgs {
  const positionals: string[] = [];
  const flags: Record<string, FlagValue> = {};
  const known = Object.keys(specs).map((k) => `--${k}`);
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--') {
      positionals.push(...argv.slice(i + 1));
      break;
    }
    if (!arg.startsWith('--') || arg === '--') {
      if (arg.startsWith('-') && arg.length > 1 && !/^-\d/.test(arg))
        throw new UsageError(`unknown option '${arg}' for '${command}'; options: ${listOf(known)}`);
      positionals.push(arg);
      continue;
    }
    const eq = arg.indexOf('=');
    const name = eq >= 0 ? arg.slice(2, eq) : arg.slice(2);
    const spec = specs[name];
    if (!spec) throw new UsageError(`unknown option '--${name}' for '${command}'; options: ${listOf(known)}`);
    let raw: string | undefined;
    if (spec.type === 'boolean') {
      if (eq >= 0) {
        const v = arg.slice(eq + 1);
        if (v !== 'true' && v !== 'false') throw new UsageError(`--${name} takes no value or true/false, got '${v}'`);
        raw = v;
      } else raw = 'true';
    } else if (eq >= 0) raw = arg.slice(eq + 1);
    else {
      raw = argv[i + 1];
      if (raw === undefined || (raw.startsWith('--') && raw.length > 2))
        throw new UsageError(`--${name} needs a value (${spec.value ?? spec.type})`);
      i++;
    }
    const value = convert(name, spec, raw);
    if (spec.multiple) {
      const prev = (flags[name] as (string | number)[] | undefined) ?? [];
      flags[name] = [...prev, value] as string[] | number[];
    } else {
      if (name in flags) throw new UsageError(`--${name} is given twice`);
      flags[name] = value;
    }
  }
  return { positionals, flags };
}

function convert(name: string, spec: FlagSpec, raw: string): string | number | boolean {
  switch (spec.type) {
    case 'boolean':
      return raw === 'true';
    case 'int': {
      if (!/^[+-]?\d+$/.test(raw.trim())) throw new UsageError(`--${name} expects an integer, got '${raw}'`);
      const n = Number.parseInt(raw, 10);
      if (!Number.isSafeInteger(n)) throw new UsageError(`--${name}: ${raw.trim()} is too large; integers go up to ${Number.MAX_SAFE_INTEGER}`);
      return n;
    }
    case 'string':
      if (spec.choices && !spec.choices.includes(raw))
        throw new UsageError(`--${name} must be one of ${listOf(spec.choices)}, got '${raw}'`);
      return raw;
  }
}

/** Help lines for a command's flags, aligned. */
export function describeFlags(specs: FlagSpecs): string[] {
  const left = Object.entries(specs).map(([k, s]) => (s.type === 'boolean' ? `--${k}` : `--${k} ${s.value ?? s.type}`));
  const width = Math.max(0, ...left.map((l) => l.length));
  return Object.values(specs).map((s, i) => `  ${left[i].padEnd(width)}  ${s.help}`);
}
