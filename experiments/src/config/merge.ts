/** JSON-like configuration values: what experiment configs are made of. */
export type ConfigValue = number | string | boolean | null | ConfigValue[] | ConfigObject;
export interface ConfigObject {
  [key: string]: ConfigValue;
}

export type DeepPartial<T> = T extends readonly (infer _U)[]
  ? T
  : T extends object
    ? { [K in keyof T]?: DeepPartial<T[K]> }
    : T;

export function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/**
 * `base` with `override` laid over it: objects merge key by key, anything else (arrays included)
 * is replaced. A key the base lacks is an error, so a profile cannot introduce a setting that the
 * runner would never read.
 */
export function deepMerge<T>(base: T, override: DeepPartial<T> | undefined, where = ''): T {
  if (override === undefined) return clone(base);
  if (!isPlainObject(base) || !isPlainObject(override)) return clone(override as T);
  const out: Record<string, unknown> = clone(base) as Record<string, unknown>;
  for (const [k, v] of Object.entries(override)) {
    if (v === undefined) continue;
    const path = where ? `${where}.${k}` : k;
    if (!(k in out)) throw new Error(`override sets '${path}', which the base config does not have`);
    out[k] = deepMerge(out[k], v as never, path);
  }
  return out as T;
}

export function clone<T>(v: T): T {
  return v === undefined ? v : (JSON.parse(JSON.stringify(v)) as T);
}
