import type { FlagSpecs, ParsedArgs } from './args.js';
import type { CliIo } from './main.js';

/** What `main` checks before a command runs, and what `exp help` prints. */
export interface CommandSpec {
  usage: string;
  summary: string;
  flags: FlagSpecs;
  /** Positional arguments: exact count required. */
  positionals: string[];
  /** Positional arguments that may follow the required ones (`exp help [command]`). */
  optionalPositionals?: string[];
}

/** Runs a command whose arguments `main` has already checked against its spec; returns the exit code (default 0). */
export type CommandHandler = (args: ParsedArgs, io: CliIo) => Promise<number | void> | number | void;

/**
 * One CLI command: its spec and a loader of its implementation. The loader imports lazily so that
 * `exp list` and `exp help` stay instant, without loading tfjs or SQLite.
 */
export interface Command extends CommandSpec {
  load(): Promise<CommandHandler>;
}
