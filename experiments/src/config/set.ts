import { z } from 'zod';
import { UsageError, listOf } from '../errors.js';
import type { KeyMeta } from './keys.js';
import { issueLine } from './issues.js';
import { clone, isPlainObject, type ConfigValue } from './merge.js';

/*
 * `--set key=value` and config resolution, both read off the experiment's zod schema: the schema says
 * what kind of value a key takes (so `1/8,4` parses as numbers and `yoto.steps=2.5` is refused), and
 * the schema validates the result (so a profile and a `--set` are checked by the same rules).
 */

export type KeyKind = 'integer' | 'number' | 'string' | 'boolean' | 'choice' | 'integer[]' | 'number[]' | 'string[]' | 'choice[]';

/** A settable leaf of a config: its dotted path, the kind of value it takes, and its resolved value. */
export interface SettableKey {
  path: string;
  kind: KeyKind;
  /** The names a 'choice' or 'choice[]' key accepts. */
  choices?: readonly string[];
  meta?: KeyMeta;
  value?: ConfigValue;
}

type Schema = z.core.$ZodType;

const WRAPPERS = new Set(['default', 'prefault', 'optional', 'nullable', 'readonly', 'catch', 'nonoptional']);

/** The schema under default/optional wrappers, and the first meta found on the way. */
function unwrap(schema: Schema): { inner: Schema; meta?: KeyMeta } {
  let cur = schema;
  let meta = z.globalRegistry.get(cur) as KeyMeta | undefined;
  while (WRAPPERS.has(cur._zod.def.type)) {
    cur = (cur._zod.def as unknown as { innerType: Schema }).innerType;
    meta ??= z.globalRegistry.get(cur) as KeyMeta | undefined;
  }
  return { inner: cur, meta };
}

function leafKind(s: Schema, path: string): { kind: KeyKind; choices?: readonly string[] } {
  const def = s._zod.def as unknown as { type: string; entries?: Record<string, string>; element?: Schema };
  switch (def.type) {
    case 'number':
      return { kind: isInt(s) ? 'integer' : 'number' };
    case 'string':
      return { kind: 'string' };
    case 'boolean':
      return { kind: 'boolean' };
    case 'enum':
      return { kind: 'choice', choices: Object.values(def.entries ?? {}) };
    case 'array': {
      const el = leafKind(unwrap(def.element as Schema).inner, path);
      if (el.kind === 'integer' || el.kind === 'number' || el.kind === 'string' || el.kind === 'choice')
        return { kind: `${el.kind}[]` as KeyKind, choices: el.choices };
      break;
    }
  }
  throw new Error(`config key '${path}': schema of type '${def.type}' cannot be set from the command line`);
}

function isInt(s: Schema): boolean {
  return (s as unknown as { format?: string | null }).format === 'safeint' || (s as unknown as { isInt?: boolean }).isInt === true;
}

/** Every leaf of the schema that `--set` can address, with its value in `config` when given. */
export function settableKeys(schema: Schema, config?: unknown, prefix = ''): SettableKey[] {
  const { inner, meta } = unwrap(schema);
  if (inner._zod.def.type === 'object') {
    const shape = (inner._zod.def as unknown as { shape: Record<string, Schema> }).shape;
    return Object.entries(shape).flatMap(([k, s]) =>
      settableKeys(s, isPlainObject(config) ? config[k] : undefined, prefix ? `${prefix}.${k}` : k),
    );
  }
  return [{ path: prefix, ...leafKind(inner, prefix), meta, ...(config === undefined ? {} : { value: config as ConfigValue }) }];
}

/** `integer (steps)`, `one of 'cosine', 'constant'`: how show-config and errors name a key's values. */
export function describeKind(key: SettableKey): string {
  switch (key.kind) {
    case 'integer':
      return 'an integer';
    case 'number':
      return 'a number';
    case 'boolean':
      return 'true or false';
    case 'string':
      return 'a string';
    case 'choice':
      return `one of ${listOf(key.choices ?? [])}`;
    case 'integer[]':
      return 'a comma-separated list of integers (e.g. 8,16)';
    case 'number[]':
      return 'a comma-separated list of numbers (e.g. 0.5,1,4)';
    case 'string[]':
      return 'a comma-separated list of names';
    case 'choice[]':
      return `a comma-separated list of ${listOf(key.choices ?? [])}`;
  }
}

/** Splits `key=value`; a missing '=' is a usage error. */
export function parseAssignment(text: string): { path: string; raw: string } {
  const eq = text.indexOf('=');
  if (eq <= 0) throw new UsageError(`--set expects key=value, got '${text}'`);
  return { path: text.slice(0, eq).trim(), raw: text.slice(eq + 1).trim() };
}

/**
 * Lays `--set` assignments over `input` (a profile's overrides): each key must be a leaf of the
 * schema and its text must parse as that leaf's kind. Range and cross-key checks are left to
 * `resolveConfig`, which runs them on the result.
 */
export function applySets(schema: Schema, input: unknown, assignments: readonly string[]): Record<string, unknown> {
  const out = (clone(input) ?? {}) as Record<string, unknown>;
  const keys = settableKeys(schema);
  const byPath = new Map(keys.map((k) => [k.path, k]));
  for (const text of assignments) {
    const { path, raw } = parseAssignment(text);
    const key = byPath.get(path);
    if (!key) throw new UsageError(unknownKey(path, keys));
    setPath(out, path, parseValue(key, raw));
  }
  return out;
}

/** One line: the keys of the group the user meant (the longest matching prefix), else the top-level names. */
function unknownKey(path: string, keys: readonly SettableKey[]): string {
  const under = keys.filter((k) => k.path.startsWith(`${path}.`));
  if (under.length > 0) return `'${path}' is a group; set one of its keys: ${listOf(under.map((k) => k.path))}`;
  const parts = path.split('.');
  for (let n = parts.length - 1; n > 0; n--) {
    const group = parts.slice(0, n).join('.');
    const near = keys.filter((k) => k.path.startsWith(`${group}.`));
    if (near.length > 0) return `unknown config key '${path}'; keys in '${group}': ${listOf(near.map((k) => k.path))}`;
  }
  const top = [...new Set(keys.map((k) => k.path.split('.')[0]))];
  return `unknown config key '${path}'; top-level keys: ${listOf(top)} (\`pnpm exp show-config <experiment>\` lists every key)`;
}

/** The text of a `--set` as the key's kind; a text that is not one is a UsageError naming the key. */
export function parseValue(key: SettableKey, raw: string): ConfigValue {
  const bad = (): never => {
    throw new UsageError(`--set ${key.path}: expected ${describeKind(key)}, got '${raw}'`);
  };
  const integer = (s: string): number => {
    const n = parseNumber(s);
    if (n === undefined || !Number.isInteger(n)) return bad();
    // 99999999999999999999 parses to 1e20, which no counter reaches exactly; refuse it.
    if (!Number.isSafeInteger(n)) throw new UsageError(`--set ${key.path}: ${s} is too large; integers go up to ${Number.MAX_SAFE_INTEGER}`);
    return n;
  };
  const list = (): string[] => {
    const items = splitList(raw);
    return items.length === 0 ? bad() : items;
  };
  const oneOf = (s: string): string => {
    if (key.choices?.includes(s)) return s;
    if (key.kind === 'choice') return bad();
    throw new UsageError(`--set ${key.path}: unknown '${s}'; expected ${describeKind(key)}`);
  };
  switch (key.kind) {
    case 'integer':
      return integer(raw);
    case 'number':
      return parseNumber(raw) ?? bad();
    case 'boolean':
      return raw === 'true' ? true : raw === 'false' ? false : bad();
    case 'string':
      return raw;
    case 'choice':
      return oneOf(raw);
    case 'integer[]':
      return list().map(integer);
    case 'number[]':
      return list().map((s) => parseNumber(s) ?? bad());
    case 'string[]':
      return list();
    case 'choice[]':
      return list().map(oneOf);
  }
}

/**
 * The config a schema makes of `input` (profile overrides and `--set`s): defaults filled in, every
 * check run. A refusal is a UsageError of one line naming the key, what it must be and what it got.
 */
export function resolveConfig<C>(schema: z.ZodType<C>, input: unknown): C {
  const r = schema.safeParse(input);
  if (r.success) return r.data;
  const kinds = new Map(settableKeys(schema).map((k) => [k.path, k.kind]));
  const isInteger = (path: readonly PropertyKey[]) => {
    const kind = kinds.get(path.filter((p) => typeof p === 'string').join('.'));
    return kind === 'integer' || kind === 'integer[]';
  };
  throw new UsageError(issueLine(r.error.issues[0], input, isInteger));
}

/** Accepts plain numbers and fractions such as `1/8`, which β ranges are naturally written in. */
function parseNumber(raw: string): number | undefined {
  const s = raw.trim();
  const frac = /^([+-]?[\d.]+(?:e[+-]?\d+)?)\/([\d.]+(?:e[+-]?\d+)?)$/i.exec(s);
  if (frac) {
    const v = Number(frac[1]) / Number(frac[2]);
    return Number.isFinite(v) ? v : undefined;
  }
  if (s === '' || !/^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i.test(s)) return undefined;
  const v = Number(s);
  return Number.isFinite(v) ? v : undefined;
}

function splitList(raw: string): string[] {
  const s = raw.trim().replace(/^\[/, '').replace(/\]$/, '');
  return s === '' ? [] : s.split(',').map((x) => x.trim().replace(/^"(.*)"$/, '$1'));
}

function setPath(obj: Record<string, unknown>, path: string, value: unknown): void {
  const parts = path.split('.');
  let cur = obj;
  for (const p of parts.slice(0, -1)) {
    if (!isPlainObject(cur[p])) cur[p] = {};
    cur = cur[p] as Record<string, unknown>;
  }
  cur[parts[parts.length - 1]] = value;
}
