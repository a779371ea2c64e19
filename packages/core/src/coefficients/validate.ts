/** Shared checks for space and grid specs; every message names the offending term or field. */

export function specError(message: string): Error {
  return new Error(`invalid coefficient space: ${message}`);
}

export function finite(value: unknown, what: string): number {
  if (typeof value !== 'number' || !Number.isFinite(value))
    throw specError(`${what} must be a finite number, got ${describe(value)}`);
  return value;
}

export function positiveInteger(value: unknown, what: string, min = 1): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min)
    throw specError(`${what} must be an integer ≥ ${min}, got ${describe(value)}`);
  return value;
}

export function knownTerm(term: unknown, terms: readonly string[], where: string): string {
  if (typeof term !== 'string') throw specError(`${where}: term must be a string, got ${describe(term)}`);
  if (!terms.includes(term))
    throw specError(`${where}: unknown term '${term}' (the space's terms are ${terms.map((t) => `'${t}'`).join(', ')})`);
  return term;
}

export function termList(value: unknown, terms: readonly string[], where: string, min: number): string[] {
  if (!Array.isArray(value)) throw specError(`${where}: terms must be an array of term names, got ${describe(value)}`);
  const list = value.map((t) => knownTerm(t, terms, where));
  if (list.length < min) throw specError(`${where}: needs at least ${min} terms, got ${list.length}`);
  const dup = list.find((t, i) => list.indexOf(t) !== i);
  if (dup !== undefined) throw specError(`${where}: term '${dup}' is listed twice`);
  return list;
}

export function describe(value: unknown): string {
  if (typeof value === 'number') return String(value);
  if (value === undefined) return 'nothing';
  try {
    return JSON.stringify(value);
  } catch {
    return String(value);
  }
}
