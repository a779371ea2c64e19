import { UsageError } from '../errors.js';
import { commandNamed } from '../commands/index.js';
import { parseArgs } from './args.js';
import { printHelp } from './help.js';
import { lineWriter } from './line-writer.js';
import { reportError } from './user-errors.js';
import type { ProgressOutput } from '../runner/progress.js';

/** Where the CLI writes; tests pass collectors, the entry point passes the real streams. */
export interface CliIo {
  /** Results (tables, JSON): stdout. */
  out(line: string): void;
  /** Errors and notes: stderr. */
  err(line: string): void;
  /** The live progress display draws here (stderr, so stdout stays parseable). */
  progress: ProgressOutput;
  env: NodeJS.ProcessEnv;
  cwd: string;
}

export function processIo(): CliIo {
  return {
    out: lineWriter(process.stdout),
    err: lineWriter(process.stderr),
    progress: process.stderr,
    env: process.env,
    cwd: process.cwd(),
  };
}

/** Runs one CLI invocation and returns its exit code: 0 ok, 1 failed, 2 usage error, 130 interrupted. */
export async function main(argv: readonly string[], io: CliIo = processIo()): Promise<number> {
  const [command, ...rest] = argv;
  try {
    if (command === undefined || command === '--help' || command === '-h') {
      printHelp(undefined, io);
      return command === undefined ? 2 : 0;
    }
    const spec = commandNamed(command);
    if (rest.includes('--help') || rest.includes('-h')) {
      printHelp(command, io);
      return 0;
    }
    const args = parseArgs(rest, spec.flags, command);
    const min = spec.positionals.length;
    const max = min + (spec.optionalPositionals?.length ?? 0);
    if (args.positionals.length < min)
      throw new UsageError(`'${command}' needs ${spec.positionals.map((p) => `<${p}>`).join(' ')}; usage: ${spec.usage}`);
    if (args.positionals.length > max)
      throw new UsageError(`'${command}' got unexpected argument '${args.positionals[max]}'; usage: ${spec.usage}`);
    const handler = await spec.load();
    return (await handler(args, io)) ?? 0;
  } catch (err) {
    return reportError(err, io);
  }
}
