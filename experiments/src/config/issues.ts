import type { z } from 'zod';

/**
 * One line for a schema issue: the key (dotted, list items as `[i]`), what it must be, and the value
 * it got, e.g. `yoto.steps must be an integer ≥ 1, got 0`. Zod's own messages speak of types
 * ("expected number to be >=1"); these speak of the config the user wrote.
 */
export function issueLine(issue: z.core.$ZodIssue, input: unknown, isInteger: (path: readonly PropertyKey[]) => boolean = () => false): string {
  const key = keyOf(issue.path);
  const got = valueAt(input, issue.path);
  const shown = got === undefined ? '' : `, got ${show(got)}`;
  return `${key} ${expectation(issue, isInteger(issue.path))}${shown}`;
}

export function keyOf(path: readonly PropertyKey[]): string {
  let out = '';
  for (const p of path) out += typeof p === 'number' ? `[${p}]` : out ? `.${String(p)}` : String(p);
  return out || '(config)';
}

/** `integer`: the key takes integers (zod reports an integer's bounds as a number's). */
function expectation(issue: z.core.$ZodIssue, integer: boolean): string {
  switch (issue.code) {
    case 'invalid_type':
      return `must be ${article(issue.expected)}`;
    case 'too_small': {
      const min = Number(issue.minimum);
      if (issue.origin === 'array') return `must list ${issue.exact ? 'exactly' : 'at least'} ${min} value${min === 1 ? '' : 's'}`;
      if (issue.origin === 'string') return 'must not be empty';
      const what = integer ? 'an integer' : 'a number';
      return `must be ${what} ${issue.inclusive ? '≥' : '>'} ${min}`;
    }
    case 'too_big': {
      const max = Number(issue.maximum);
      if (issue.origin === 'array') return `must list ${issue.exact ? 'exactly' : 'at most'} ${max} value${max === 1 ? '' : 's'}`;
      return `must be ${issue.inclusive ? '≤' : '<'} ${max}`;
    }
    case 'invalid_value':
      return `must be one of ${issue.values.map((v) => `'${String(v)}'`).join(', ')}`;
    case 'not_multiple_of':
      return `must be a multiple of ${issue.divisor}`;
    case 'unrecognized_keys':
      return `has no key${issue.keys.length > 1 ? 's' : ''} ${issue.keys.map((k) => `'${k}'`).join(', ')}`;
    default:
      // Custom checks (refine) carry their own words.
      return issue.message;
  }
}

function article(expected: string): string {
  if (expected === 'int') return 'an integer';
  if (expected === 'array') return 'a list';
  if (expected === 'object') return 'a group of keys';
  return /^[aeiou]/.test(expected) ? `an ${expected}` : `a ${expected}`;
}

function valueAt(input: unknown, path: readonly PropertyKey[]): unknown {
  let cur = input;
  for (const p of path) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Record<PropertyKey, unknown>)[p];
  }
  return cur;
}

function show(v: unknown): string {
  if (typeof v === 'string') return `'${v}'`;
  if (Array.isArray(v)) return v.map((x) => (typeof x === 'string' ? x : JSON.stringify(x))).join(',');
  return JSON.stringify(v);
}
