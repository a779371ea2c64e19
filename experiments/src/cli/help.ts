import { COMMANDS, commandNamed } from '../commands/index.js';
import { describeFlags } from './args.js';
import type { CliIo } from './main.js';

/** `exp help [command]`: every command with its summary, or one command's usage and flags. */
export function printHelp(command: string | undefined, io: CliIo): void {
  if (command !== undefined) {
    const spec = commandNamed(command);
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
