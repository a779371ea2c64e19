import { UsageError } from '../errors.js';
import { clone, isPlainObject, type ConfigValue } from './merge.js';

/** A settable leaf of a config: its dotted path and the type its default value has. */
export interface SettableKey {
  path: string;
  type: 'number' | 'integer' | 'string' | 'boolean' | 'number[]' | 'string[]';
  value: ConfigValue;
}

/**
 * Every leaf of `config` that `--set` can address. Integer defaults are typed 'integer' so that
 * `--set yoto.steps=2.5` is refused; a number default that happens to be whole (a learning rate of
 * 1) would be typed too strictly, so a definition names such keys in `types`.
 */
export function settableKeys(config: unknown, types: KeyTypes = {}, prefix = ''): SettableKey[] {
  if (!isPlainObject(config)) return [];
  const out: SettableKey[] = [];
  for (const [k, v] of Object.entries(config)) {
    const path = prefix ? `${prefix}.${k}` : k;
    if (isPlainObject(v)) out.push(...settableKeys(v, types, path));
    else out.push({ path, type: types[path] ?? typeOf(v as ConfigValue, path), value: v as ConfigValue });
  }
  return out;
}

/** Explicit types for keys whose default value would infer the wrong one (a whole-number float). */
export type KeyTypes = Readonly<Record<string, SettableKey['type']>>;

function typeOf(v: ConfigValue, path: string): SettableKey['type'] {
  if (typeof v === 'number') return Number.isInteger(v) ? 'integer' : 'number';
  if (typeof v === 'string') return 'string';
  if (typeof v === 'boolean') return 'boolean';
  if (Array.isArray(v)) return v.every((x) => typeof x === 'string') && v.length > 0 ? 'string[]' : 'number[]';
  throw new Error(`config key '${path}' has a value of unsupported type (${JSON.stringify(v)})`);
}

/** Splits `key=value`; a missing '=' is a usage error. */
export function parseAssignment(text: string): { path: string; raw: string } {
  const eq = text.indexOf('=');
  if (eq <= 0) throw new UsageError(`--set expects key=value, got '${text}'`);
  return { path: text.slice(0, eq).trim(), raw: text.slice(eq + 1).trim() };
}

/**
 * Applies `--set` assignments to a copy of `config`. Keys are dotted paths into the config and are
 * type-checked against the value they replace; an unknown key or a value of the wrong type is a
 * UsageError that names the settable keys (or the expected type).
 */
export function applySets<T>(config: T, assignments: readonly string[], types: KeyTypes = {}): T {
  const out = clone(config);
  const keys = settableKeys(out, types);
  const byPath = new Map(keys.map((k) => [k.path, k]));
  for (const text of assignments) {
    const { path, raw } = parseAssignment(text);
    const key = byPath.get(path);
    if (!key) {
      const under = keys.filter((k) => k.path.startsWith(`${path}.`));
      const hint = under.length > 0 ? ` ('${path}' is a group; set one of its keys)` : '';
      throw new UsageError(
        `unknown config key '${path}'${hint}; settable keys:\n${keys.map((k) => `  ${k.path} (${k.type}) = ${JSON.stringify(k.value)}`).join('\n')}`,
      );
    }
    setPath(out as Record<string, unknown>, path, parseValue(key, raw));
  }
  return out;
}

export function parseValue(key: SettableKey, raw: string): ConfigValue {
  const bad = (): never => {
    throw new UsageError(`--set ${key.path}: expected ${describeType(key.type)}, got '${raw}'`);
  };
  switch (key.type) {
    case 'integer': {
      const n = parseNumber(raw);
      if (n === undefined || !Number.isInteger(n)) bad();
      // 99999999999999999999 parses to 1e20, which no counter reaches exactly; refuse it.
      if (!Number.isSafeInteger(n))
        throw new UsageError(`--set ${key.path}: ${raw} is too large; integers go up to ${Number.MAX_SAFE_INTEGER}`);
      return n as number;
    }
    case 'number': {
      const n = parseNumber(raw);
      if (n === undefined) bad();
      return n as number;
    }
    case 'boolean':
      if (raw === 'true') return true;
      if (raw === 'false') return false;
      return bad();
    case 'string':
      return raw;
    case 'number[]': {
      const items = splitList(raw);
      const nums = items.map(parseNumber);
      if (items.length === 0 || nums.some((n) => n === undefined)) bad();
      return nums as number[];
    }
    case 'string[]': {
      const items = splitList(raw);
      if (items.length === 0) bad();
      return items;
    }
  }
}

function describeType(t: SettableKey['type']): string {
  switch (t) {
    case 'integer':
      return 'an integer';
    case 'number':
      return 'a number';
    case 'boolean':
      return 'true or false';
    case 'string':
      return 'a string';
    case 'number[]':
      return 'a comma-separated list of numbers (e.g. 0.5,1,4)';
    case 'string[]':
      return 'a comma-separated list of names';
  }
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
  for (const p of parts.slice(0, -1)) cur = cur[p] as Record<string, unknown>;
  cur[parts[parts.length - 1]] = value;
}
