// The sliders' values in the page's address (`?kl=4` for the VAE's β; `?content=0.55&style1=0.5&…`
// where several terms move), next to `?backend=`: read when the page starts, rewritten as a slider
// moves, so a setting can be bookmarked, shared and reloaded. Pure functions (no DOM, no tfjs): the
// Node tests check them directly.
import { sliderToValue, valueToSlider } from './curve.js';
import { fmt } from './format.js';

/** One slider: its term, its title on the page (β, λ[style1]), its range and scale, its starting value. */
export interface SliderTerm {
  term: string;
  title: string;
  min: number;
  max: number;
  log: boolean;
  /** Where the slider starts when the address gives no (valid) value: the middle of its range. */
  start: number;
}

/**
 * The value at slider position `position` in its shortest decimal form (four significant digits or
 * more) that maps back to the same position. The page uses, shows and writes into the address this
 * value, so a reloaded address is the same λ to the last bit, not a neighbour of it.
 */
export function sliderValue(position: number, steps: number, min: number, max: number, log: boolean): number {
  const exact = sliderToValue(position, steps, min, max, log);
  for (let digits = 4; digits <= 17; digits++) {
    const short = Number(exact.toPrecision(digits));
    if (valueToSlider(short, steps, min, max, log) === position) return short;
  }
  return exact;
}

/** A value as the address writes it: JavaScript's shortest form that reads back as the same number. */
export const addressForm = (v: number): string => String(v);

/** A number as people type one (`4`, `.5`, `1e-3`); `Number` alone would take '' and '0x10'. */
const NUMBER = /^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i;
/**
 * Ranges print with four significant digits, so a bound copied from the label may lie just outside
 * the true range: values within that rounding of a bound are taken (and set to it).
 */
const BOUND_SLACK = 5e-4;

export interface AddressReading {
  /** The terms the address sets, with valid values. */
  values: Record<string, number>;
  /** One line per parameter the page ignored: which, its value, and what was expected. */
  problems: string[];
}

/**
 * The slider values an address's query gives. A parameter that names no slider, is not one number, or
 * lies outside its term's range is a line in `problems` and leaves that slider at its start; the names
 * in `others` belong to the page (`backend`) and are left to their readers.
 */
export function readAddress(query: URLSearchParams, sliders: readonly SliderTerm[], others: readonly string[]): AddressReading {
  const values: Record<string, number> = {};
  const problems: string[] = [];
  const names = [...new Set(query.keys())];
  for (const name of names) {
    if (others.includes(name)) continue;
    const given = query.getAll(name);
    const shown = `?${given.map((v) => `${name}=${v}`).join('&')}`;
    const s = sliders.find((t) => t.term === name);
    if (!s) {
      problems.push(`ignored ${shown}: no slider is called '${name}'; the page takes ${[...sliders.map((t) => t.term), ...others].map((n) => `?${n}=`).join(', ')}`);
      continue;
    }
    const range = `${s.title} takes one number in ${fmt(s.min)}…${fmt(s.max)} (${s.log ? 'log scale' : 'linear'}); its slider starts at ${fmt(s.start)}`;
    if (given.length > 1) {
      problems.push(`ignored ${shown}: ${name} is given ${given.length} times; ${range}`);
      continue;
    }
    const text = given[0].trim();
    if (!NUMBER.test(text)) {
      problems.push(`ignored ${shown}: not a number; ${range}`);
      continue;
    }
    const v = Number(text);
    const lo = s.min - BOUND_SLACK * Math.abs(s.min);
    const hi = s.max + BOUND_SLACK * Math.abs(s.max);
    if (!(v >= lo && v <= hi)) {
      problems.push(`ignored ${shown}: outside the range; ${range}`);
      continue;
    }
    values[name] = Math.min(s.max, Math.max(s.min, v));
  }
  return { values, problems };
}
