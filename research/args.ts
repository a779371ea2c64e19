import { parseArgs } from 'node:util';

/** Flags of the research scripts (node's parseArgs): `--name value` and boolean `--flag`, typed per name. */
export function parseFlags(
  script: string,
  args: string[],
  spec: Record<string, 'int' | 'string' | 'bool'>,
  usage: string,
): Record<string, number | string | boolean | undefined> {
  let values: Record<string, string | boolean | (string | boolean)[] | undefined>;
  try {
    const options = Object.fromEntries(Object.entries(spec).map(([name, kind]) => [name, { type: kind === 'bool' ? ('boolean' as const) : ('string' as const) }]));
    values = parseArgs({ args, options, strict: true }).values;
  } catch (err) {
    throw new Error(`${script}: ${(err as Error).message}; usage: ${usage}`);
  }
  const out: Record<string, number | string | boolean | undefined> = {};
  for (const [name, v] of Object.entries(values)) {
    if (spec[name] !== 'int') out[name] = v as string | boolean;
    else if (!/^\d+$/.test(String(v))) throw new Error(`${script}: --${name} must be a non-negative integer, got ${String(v)}`);
    else out[name] = Number(v);
  }
  return out;
}
