import { UsageError, listOf } from '../errors.js';
import { listCommand } from '../commands/list.js';
import { showConfigCommand } from '../commands/show-config.js';
import { describeFlags, parseArgs, type ParsedArgs } from './args.js';
import { COMMANDS } from './commands.js';
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
    out: (l) => void process.stdout.write(`${l}\n`),
    err: (l) => void process.stderr.write(`${l}\n`),
    progress: process.stderr,
    env: process.env,
    cwd: process.cwd(),
  };
}

type Handler = (args: ParsedArgs, io: CliIo) => Promise<number | void> | number | void;

/** Commands that need tfjs or the tracker load lazily, so `exp list` and `exp help` stay instant. */
const HANDLERS: Record<string, Handler> = {
  list: (_a, io) => listCommand(io.out),
  help: (a, io) => help(a.positionals[0], io),
  'show-config': (a, io) => showConfigCommand(a, io),
  run: async (a, io) => (await import('../commands/run.js')).runCommand(a, io),
  report: async (a, io) => (await import('../commands/report.js')).reportCommand(a, io),
  runs: async (a, io) => (await import('../commands/runs.js')).runsCommand(a, io),
  show: async (a, io) => (await import('../commands/show.js')).showCommand(a, io),
  export: async (a, io) => (await import('../commands/export.js')).exportCommand(a, io),
  codec: async (a, io) => (await import('../commands/codec.js')).codecCommand(a, io),
  explore: async (a, io) => (await import('../commands/explore.js')).exploreCommand(a, io),
  stylize: async (a, io) => (await import('../commands/stylize.js')).stylizeCommand(a, io),
};

/** Runs one CLI invocation and returns its exit code: 0 ok, 1 failed, 2 usage error, 130 interrupted. */
export async function main(argv: readonly string[], io: CliIo = processIo()): Promise<number> {
  const [command, ...rest] = argv;
  try {
    if (command === undefined || command === '--help' || command === '-h') {
      help(undefined, io);
      return command === undefined ? 2 : 0;
    }
    const spec = COMMANDS[command];
    if (!spec) throw new UsageError(`unknown command '${command}'; commands: ${listOf(Object.keys(COMMANDS))}`);
    if (rest.includes('--help') || rest.includes('-h')) {
      help(command, io);
      return 0;
    }
    const args = parseArgs(rest, spec.flags, command);
    const max = command === 'help' ? 1 : spec.positionals.length;
    const min = command === 'help' ? 0 : spec.positionals.length;
    if (args.positionals.length < min)
      throw new UsageError(`'${command}' needs ${spec.positionals.map((p) => `<${p}>`).join(' ')}; usage: ${spec.usage}`);
    if (args.positionals.length > max)
      throw new UsageError(`'${command}' got unexpected argument '${args.positionals[max]}'; usage: ${spec.usage}`);
    return (await HANDLERS[command](args, io)) ?? 0;
  } catch (err) {
    return reportError(err, io);
  }
}

function help(command: string | undefined, io: CliIo): void {
  if (command !== undefined) {
    const spec = COMMANDS[command];
    if (!spec) throw new UsageError(`unknown command '${command}'; commands: ${listOf(Object.keys(COMMANDS))}`);
    io.out(`usage: pnpm ${spec.usage}`);
    io.out(`  ${spec.summary}`);
    if (Object.keys(spec.flags).length > 0) for (const l of describeFlags(spec.flags)) io.out(l);
    return;
  }
  io.out('usage: pnpm exp <command> [options]');
  io.out('');
  const width = Math.max(...Object.keys(COMMANDS).map((c) => c.length));
  for (const [name, spec] of Object.entries(COMMANDS)) io.out(`  ${name.padEnd(width)}  ${spec.summary}`);
  io.out('');
  io.out('Results live under YOTO_HOME (default ./yoto-results): tracker.db, checkpoints/, reports/.');
  io.out('`pnpm exp help <command>` shows a command’s options.');
}
