/** One command-line argument of a kernel bench: `--flag value` or `--flag=value`. */
export interface BenchFlag {
  flag: string;
  /** The argument as typed, for "unknown option" messages. */
  raw: string;
  /** The flag's value (inline after `=`, else the next argument), or an error that it needs one. */
  value(): string;
}

/** Walks the benches' arguments; `value()` consumes the next argument when the value is not inline. */
export function* benchFlags(args: readonly string[]): Generator<BenchFlag> {
  for (let i = 0; i < args.length; i++) {
    const raw = args[i];
    const [flag, inline] = raw.split('=', 2);
    yield {
      flag,
      raw,
      value: () => {
        const v = inline ?? args[++i];
        if (v === undefined) throw new Error(`${flag} needs a value`);
        return v;
      },
    };
  }
}
