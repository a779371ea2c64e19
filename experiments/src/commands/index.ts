import { UsageError, listOf } from '../errors.js';
import type { Command } from '../cli/command.js';
import { codecCommandSpec } from './codec.command.js';
import { exploreCommandSpec } from './explore.command.js';
import { exportCommandSpec } from './export.command.js';
import { helpCommandSpec } from './help.command.js';
import { listCommandSpec } from './list.command.js';
import { reportCommandSpec } from './report.command.js';
import { runCommandSpec } from './run.command.js';
import { runsCommandSpec } from './runs.command.js';
import { showConfigCommandSpec } from './show-config.command.js';
import { showCommandSpec } from './show.command.js';
import { stylizeCommandSpec } from './stylize.command.js';
import { workerCommandSpec } from './worker.command.js';

/**
 * Every command of `pnpm exp`, in the order `exp help` lists them. Adding a command: write
 * `<name>.command.ts` (spec + lazy loader) and its implementation, and add one line here.
 */
export const COMMANDS: Record<string, Command> = {
  list: listCommandSpec,
  run: runCommandSpec,
  worker: workerCommandSpec,
  report: reportCommandSpec,
  'show-config': showConfigCommandSpec,
  runs: runsCommandSpec,
  show: showCommandSpec,
  export: exportCommandSpec,
  help: helpCommandSpec,
  codec: codecCommandSpec,
  stylize: stylizeCommandSpec,
  explore: exploreCommandSpec,
};

/** The command called `name`; an unknown name is a usage error listing the commands. */
export function commandNamed(name: string): Command {
  const command = Object.hasOwn(COMMANDS, name) ? COMMANDS[name] : undefined;
  if (!command) throw new UsageError(`unknown command '${name}'; commands: ${listOf(Object.keys(COMMANDS))}`);
  return command;
}
