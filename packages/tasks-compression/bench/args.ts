/** Tiny flag parser shared by this package's benchmarks: `--name value` and boolean `--flag`. */
export function parseFlags(
  bench: string,
  args: string[],
  spec: Record<string, 'int' | 'string' | 'bool'>,
  usage: string,
): Record<string, number | string | boolean | undefined> {
  const out: Record<string, number | string | boolean | undefined> = {};
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    const name = a.startsWith('--') ? a.slice(2) : '';
    const kind = spec[name];
    if (!kind) throw new Error(`bench ${bench}: unknown argument '${a}'; usage: ${usage}`);
    if (kind === 'bool') {
      out[name] = true;
      continue;
    }
    const v = args[++i];
    if (v === undefined) throw new Error(`bench ${bench}: ${a} needs a value`);
    if (kind === 'int') {
      const n = Number(v);
      if (!Number.isInteger(n) || n < 0) throw new Error(`bench ${bench}: ${a} must be a non-negative integer, got ${v}`);
      out[name] = n;
    } else out[name] = v;
  }
  return out;
}

export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : 0.5 * (s[m - 1] + s[m]);
}
